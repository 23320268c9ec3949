# Configures, builds and tests an ASan+UBSan build of the project in ${BIN}; run by the
# `sanitizers` test. Warnings are errors there too.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN} -G ${GENERATOR}
                        -DCMAKE_BUILD_TYPE=Debug -DRL_SANITIZE=ON -DRL_WERROR=ON
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the sanitizer build failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the sanitizer build failed")
endif()
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${BIN} --output-on-failure
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "tests failed under AddressSanitizer/UndefinedBehaviorSanitizer")
endif()
