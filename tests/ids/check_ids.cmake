# The rule-id generator and RL_ID() (src/rules/ids.cmake, include/regionlint/rule.h):
#  1. the generator reads block and flow style entries, sorts the ids, refuses a duplicate
#     id and an entry whose id it cannot read;
#  2. RL_ID() of an id the metadata defines compiles, RL_ID() of one it does not define is
#     a compile error that names the missing RL_ID_ macro (so a typo fails the build);
#  3. src/ names built-in rules only through RL_ID(): no "RLnnn" string literal is left
#     outside comments (a literal would escape the compile-time check).
# Run by ctest as: cmake -DSRC=<source tree> -DGEN=<build>/generated -DCC=<compiler>
#                        -DWORK=<scratch folder> -P check_ids.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(failed 0)
macro(fail msg)
  message(SEND_ERROR "${msg}")
  set(failed 1)
endmacro()

function(gen out)
  execute_process(COMMAND ${CMAKE_COMMAND} -DOUT=${out} "-DFILES=${ARGN}"
                  -P ${SRC}/src/rules/ids.cmake
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  set(gen_rc ${rc} PARENT_SCOPE)
  set(gen_err "${e}" PARENT_SCOPE)
endfunction()

# 1. generator
file(WRITE ${WORK}/b.yaml "rules:\n  - id: RL902\n    title: x\n  - {id: RL101, title: y}\n  - name: z\n    id: \"RL555\"   # quoted\n")
file(WRITE ${WORK}/a.yaml "rules:\n  - id: RL001\n")
gen(${WORK}/ok.h ${WORK}/b.yaml ${WORK}/a.yaml)
if(NOT gen_rc EQUAL 0)
  fail("generator failed on valid metadata: ${gen_err}")
else()
  file(READ ${WORK}/ok.h h)
  if(NOT h MATCHES "#define RL_RULE_ID_COUNT 4\n")
    fail("generator: wrong count in\n${h}")
  endif()
  if(NOT h MATCHES "X\\(RL001\\) \\\\\n    X\\(RL101\\) \\\\\n    X\\(RL555\\) \\\\\n    X\\(RL902\\)\n")
    fail("generator: ids not listed in order in\n${h}")
  endif()
  if(NOT h MATCHES "#define RL_ID_RL555 \"RL555\"\n")
    fail("generator: no RL_ID_RL555 macro in\n${h}")
  endif()
endif()
file(WRITE ${WORK}/dup.yaml "rules:\n  - id: RL001\n")
gen(${WORK}/dup.h ${WORK}/a.yaml ${WORK}/dup.yaml)
if(gen_rc EQUAL 0 OR NOT gen_err MATCHES "twice")
  fail("generator accepted an id defined twice (${gen_rc}): ${gen_err}")
endif()
file(WRITE ${WORK}/bad.yaml "rules:\n  - id: RL5O1\n")
gen(${WORK}/bad.h ${WORK}/bad.yaml)
if(gen_rc EQUAL 0 OR NOT gen_err MATCHES "cannot read the rule id")
  fail("generator accepted an unreadable id (${gen_rc}): ${gen_err}")
endif()

# 2. RL_ID() at compile time, against the build's real header
foreach(case known unknown)
  if(case STREQUAL "known")
    set(id RL501)
  else()
    set(id RL599)
  endif()
  file(WRITE ${WORK}/${case}.c "#include <regionlint/rule.h>\nconst char *rl_test_id(void);\nconst char *rl_test_id(void) { return RL_ID(${id}); }\n")
  execute_process(COMMAND ${CC} -std=c11 -fsyntax-only -I${SRC}/include -I${GEN} ${WORK}/${case}.c
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  if(case STREQUAL "known" AND NOT rc EQUAL 0)
    fail("RL_ID(RL501) does not compile: ${o}${e}")
  elseif(case STREQUAL "unknown" AND (rc EQUAL 0 OR NOT "${o}${e}" MATCHES "RL_ID_RL599"))
    fail("RL_ID(RL599) (not in rules/) compiled, or the error does not name RL_ID_RL599: ${o}${e}")
  endif()
endforeach()

# 3. no rule-id string literals left in src/
file(GLOB_RECURSE sources ${SRC}/src/*.c ${SRC}/src/*.h)
foreach(f IN LISTS sources)
  file(STRINGS ${f} lines REGEX "\"RL[0-9][0-9][0-9]\"")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^[ \t]*(/\\*|\\*|//)")
      file(RELATIVE_PATH rel ${SRC} ${f})
      fail("${rel}: a rule id as a string literal (write RL_ID(RLnnn)): ${line}")
    endif()
  endforeach()
endforeach()

if(failed)
  message(FATAL_ERROR "rule id checks failed")
endif()
message(STATUS "rule id checks passed")
