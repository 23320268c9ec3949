// Reads the SARIF multitool's own result log (validate.sh) and fails, listing each one,
// when it holds an error or a warning about the validated files, or when the tool did not
// run cleanly on every file. Usage: node check-log.js LOG STDOUT FILE...
'use strict';
const fs = require('fs');
const path = require('path');

const [logPath, stdoutPath, ...files] = process.argv.slice(2);
const problems = [];
let log;
try {
    log = JSON.parse(fs.readFileSync(logPath, 'utf8').replace(/^\uFEFF/, ''));
} catch (e) {
    console.error(`check-log.js: cannot read the validator's log ${logPath}: ${e.message}`);
    process.exit(1);
}
const run = (log.runs || [])[0];
if (!run) {
    console.error('check-log.js: the validator wrote no run');
    process.exit(1);
}
const rules = (run.tool && run.tool.driver && run.tool.driver.rules) || [];

// A message as the multitool writes it: either text, or an id into the rule's
// messageStrings with {0}-style arguments.
function text(msg, rule) {
    if (!msg) return '';
    if (msg.text !== undefined) return msg.text;
    const tmpl = rule && rule.messageStrings && rule.messageStrings[msg.id];
    const args = msg.arguments || [];
    if (!tmpl) return `${msg.id} ${JSON.stringify(args)}`;
    return tmpl.text.replace(/\{(\d+)\}/g, (m, i) => (i < args.length ? args[i] : m));
}

function where(locs) {
    const pl = locs && locs[0] && locs[0].physicalLocation;
    if (!pl || !pl.artifactLocation) return '';
    let uri = pl.artifactLocation.uri || '';
    if (uri.startsWith('file://')) {
        try {
            uri = decodeURIComponent(new URL(uri).pathname);
        } catch (e) {
            /* keep the URI as it is */
        }
    }
    const r = pl.region || {};
    return `${uri}${r.startLine ? `:${r.startLine}` : ''}${r.startColumn ? `:${r.startColumn}` : ''}: `;
}

function ruleOf(res) {
    if (Number.isInteger(res.ruleIndex) && rules[res.ruleIndex]) return rules[res.ruleIndex];
    return rules.find((r) => r.id === res.ruleId);
}

// SARIF: a result's level defaults to its rule's configured level, then to "warning".
for (const res of run.results || []) {
    if (res.kind && res.kind !== 'fail') continue;
    const rule = ruleOf(res);
    const level =
        res.level || (rule && rule.defaultConfiguration && rule.defaultConfiguration.level) || 'warning';
    if (level !== 'error' && level !== 'warning') continue;
    problems.push(`${where(res.locations)}${level} ${res.ruleId}: ${text(res.message, rule)}`);
}

// The tool's own trouble (a file it could not read, a bad option) shows up here. A
// notification's level defaults to "warning". The one expected notification says that
// multitool.config.xml disabled SARIF2006 on purpose.
for (const inv of run.invocations || []) {
    if (inv.executionSuccessful === false) problems.push('the validator reports executionSuccessful: false');
    const notes = [...(inv.toolExecutionNotifications || []), ...(inv.toolConfigurationNotifications || [])];
    for (const n of notes) {
        const level = n.level || 'warning';
        const id = (n.descriptor && n.descriptor.id) || '';
        const msg = text(n.message);
        if (level !== 'error' && level !== 'warning') continue;
        if (id === 'WRN999.RuleExplicitlyDisabled' && /'SARIF2006'/.test(msg)) continue;
        problems.push(`${where(n.locations)}validator ${level} ${id}: ${msg}`);
    }
}

// Every file must have been looked at: a file the tool skipped would pass silently.
const out = fs.readFileSync(stdoutPath, 'utf8');
const m = /Done\. (\d+) files? scanned/.exec(out);
const want = new Set(files.map((f) => path.resolve(f))).size;
if (!m) problems.push(`the validator did not say how many files it scanned:\n${out}`);
else if (Number(m[1]) !== want) problems.push(`the validator scanned ${m[1]} files, expected ${want}:\n${out}`);

if (problems.length) {
    for (const p of problems) console.error(p);
    console.error(`check-log.js: ${problems.length} error(s) or warning(s) in ${files.length} SARIF file(s)`);
    process.exit(1);
}
console.log(`SARIF multitool: no errors or warnings in ${files.length} file(s): ${files.map((f) => path.basename(f)).join(', ')}`);
