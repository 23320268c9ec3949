/* HTML: one self-contained page for audits (inline CSS, no script, no external asset):
 * the summary, the quotas of the primary and each standby side by side as a bar chart, the
 * findings by family and region pair, the suppressed findings with their reasons, the
 * files read, and the rules with links to their documentation.
 *
 * The quota chart is fed from the findings of the quotas family (RL101-RL104), not from the
 * quota model, which reporters do not see. Its contract with those rules: a finding points
 * at the quota value in its own region (`region`, the standby), and its first related
 * location at what that value is compared with (the primary's value for RL101/RL102, the
 * primary's peak usage for RL103); the chart reads the number written at each of those two
 * positions and labels the second bar with the related location's message. A finding whose
 * positions do not hold a number, and RL104 (a total of several resources, which is in the
 * message only), are listed without bars. */
#include "common.h"

#include "../base/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char css[] =
    ":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d1d9e0;"
    "--soft:#f6f8fa;--error:#cf222e;--warning:#9a6700;--note:#0969da;--primary:#8250df;"
    "--standby:#1a7f37}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;"
    "--line:#3d444d;--soft:#151b23;--error:#ff7b72;--warning:#d29922;--note:#4493f8;"
    "--primary:#ab7df8;--standby:#3fb950}}\n"
    "body{font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:var(--fg);"
    "background:var(--bg);max-width:80rem;margin:0 auto;padding:1.5rem}\n"
    "h1{font-size:1.6rem;margin:0 0 .25rem}h2{border-bottom:1px solid var(--line);"
    "padding-bottom:.25rem;margin-top:2rem}h3{margin-top:1.5rem}h4{margin:1rem 0 .5rem;"
    "color:var(--muted)}\n"
    "a{color:var(--note)}code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace;word-break:break-all}\n"
    ".meta,.muted{color:var(--muted)}nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;"
    "list-style:none;padding:0}\n"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid var(--line);"
    "padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:var(--soft)}\n"
    "table.counts{width:auto}table.counts td{text-align:right;min-width:4rem}\n"
    ".lv{font-weight:600}.lv.error{color:var(--error)}.lv.warning{color:var(--warning)}"
    ".lv.note{color:var(--note)}\n"
    "td .path{color:var(--muted);margin-top:.2rem}ul.related{margin:.3rem 0 "
    "0;padding-left:1.2rem}\n"
    ".quota{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem;margin:.5rem 0}\n"
    ".bar{display:grid;grid-template-columns:minmax(10rem,22rem) 1fr "
    "8rem;gap:.5rem;align-items:center;"
    "margin:.2rem 0}\n"
    ".track{background:var(--soft);border:1px solid var(--line);height:.9rem;border-radius:3px}\n"
    ".fill{display:block;height:100%;border-radius:2px}.fill.other{background:var(--primary)}"
    ".fill.this{background:var(--standby)}.val{font-variant-numeric:tabular-nums;"
    "text-align:right}\n"
    "@media "
    "print{body{max-width:none;padding:0}a{color:inherit}details>summary{list-style:none}}\n";

typedef struct hctx {
    rl_strbuf *b;
    const rl_report *r;
    rl_hmap sources; /* path -> rl_source*, for the numbers the quota chart shows */
} hctx;

static void put(hctx *h, const char *s)
{
    rl_strbuf_puts(h->b, s);
}

static void esc(hctx *h, const char *s)
{
    rl_report_put_xml(h->b, s, false);
}

static void esc_attr(hctx *h, const char *s)
{
    rl_report_put_xml(h->b, s, true);
}

static const char *role(const hctx *h, const char *region)
{
    if (!region)
        return NULL;
    if (h->r->primary && !strcmp(region, h->r->primary))
        return "primary";
    for (size_t i = 0; i < h->r->nstandby; i++)
        if (!strcmp(region, h->r->standby[i]))
            return "standby";
    return NULL;
}

/* "us-west-2 (standby)" */
static void put_region(hctx *h, const char *region)
{
    esc(h, region);
    const char *ro = role(h, region);
    if (ro)
        rl_strbuf_printf(h->b, " (%s)", ro);
}

static void put_loc(hctx *h, const char *file, const rl_span *sp)
{
    put(h, "<code>");
    esc(h, *file ? file : "(no file)");
    if (sp->start.line)
        rl_strbuf_printf(h->b, ":%u:%u", sp->start.line, sp->start.column);
    put(h, "</code>");
}

static void put_rule_link(hctx *h, const char *id, const rl_rule *rule)
{
    if (rule && rl_report_url_ok(rule->help_uri)) {
        put(h, "<a href=\"");
        esc_attr(h, rule->help_uri);
        put(h, "\">");
        esc(h, id);
        put(h, "</a>");
    } else {
        esc(h, id);
    }
}

static void put_level(hctx *h, rl_level lv)
{
    rl_strbuf_printf(h->b, "<span class=\"lv %s\">%s</span>", rl_level_name(lv), rl_level_name(lv));
}

static void put_finding_row(hctx *h, const rl_finding *f, bool suppressed)
{
    put(h, "<tr><td>");
    put_level(h, f->level);
    put(h, "</td><td>");
    put_rule_link(h, f->rule_id, f->rule);
    put(h, "</td><td>");
    put_loc(h, f->file, &f->span);
    put(h, "</td><td>");
    esc(h, f->message);
    if (f->path && *f->path) {
        put(h, "<div class=\"path\"><code>");
        esc(h, f->path);
        put(h, "</code></div>");
    }
    if (f->nrelated) {
        put(h, "<ul class=\"related\">");
        for (size_t i = 0; i < f->nrelated; i++) {
            put(h, "<li>");
            put_loc(h, f->related[i].file, &f->related[i].span);
            put(h, " ");
            esc(h, f->related[i].message);
            put(h, "</li>");
        }
        put(h, "</ul>");
    }
    if (suppressed) {
        put(h, "</td><td>");
        esc(h, f->suppressed_by ? f->suppressed_by : "?");
        if (f->justification && *f->justification) {
            put(h, ": ");
            esc(h, f->justification);
        }
    }
    put(h, "</td></tr>\n");
}

static void findings_table_open(hctx *h, bool suppressed)
{
    put(h, "<table class=\"findings\"><thead><tr><th>Level</th><th>Rule</th><th>Location</th>"
           "<th>Message</th>");
    if (suppressed)
        put(h, "<th>Suppressed by</th>");
    put(h, "</tr></thead><tbody>\n");
}

/* ---- findings by family and region pair -------------------------------------------- */

typedef struct hitem {
    const rl_finding *f;
    const char *family;
    const char *family_key; /* the family's lowest rule id: families in catalogue order */
    size_t index;
} hitem;

static int cmp_opt(const char *a, const char *b)
{
    if (!a || !b)
        return (a == NULL) - (b == NULL); /* no region last */
    return strcmp(a, b);
}

static int cmp_hitem(const void *pa, const void *pb)
{
    const hitem *a = pa, *b = pb;
    int c = strcmp(a->family_key, b->family_key);
    if (!c)
        c = strcmp(a->family, b->family);
    if (!c)
        c = cmp_opt(a->f->region, b->f->region);
    if (!c)
        c = cmp_opt(a->f->other_region, b->f->other_region);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

static const char *family_of(const rl_finding *f)
{
    return f->rule && f->rule->family && *f->rule->family ? f->rule->family : "other";
}

/* Fills items with the unsuppressed findings in display order; returns the count. */
static size_t sort_findings(hctx *h, hitem *items, rl_hmap *keys)
{
    const rl_registry *reg = h->r->registry;
    for (size_t i = 0; reg && i < rl_registry_count(reg); i++) {
        const rl_rule *rule = rl_registry_at(reg, i);
        const char *fam = rule->family ? rule->family : "other";
        void **slot = rl_hmap_slot(keys, fam, strlen(fam));
        if (slot && strcmp(rule->id, *slot) < 0)
            *slot = (void *)rule->id;
        else if (!slot && rl_hmap_puts(keys, fam, (void *)rule->id) < 0)
            return (size_t)-1;
    }
    size_t n = 0;
    for (size_t i = 0; i < rl_findings_count(h->r->findings); i++) {
        const rl_finding *f = rl_findings_at(h->r->findings, i);
        if (f->suppressed)
            continue;
        const char *fam = family_of(f);
        const char *key = rl_hmap_gets(keys, fam);
        items[n++] = (hitem){f, fam, key ? key : f->rule_id, i};
    }
    qsort(items, n, sizeof(*items), cmp_hitem);
    return n;
}

static void put_findings(hctx *h, const hitem *items, size_t n)
{
    put(h, "<section id=\"findings\">\n<h2>Findings by family and region pair</h2>\n");
    if (!n)
        put(h, "<p>No findings.</p>\n");
    for (size_t i = 0, j; i < n; i = j) {
        const char *fam = items[i].family;
        for (j = i; j < n && !strcmp(items[j].family, fam);)
            j++;
        put(h, "<section id=\"family-");
        esc_attr(h, fam);
        put(h, "\">\n<h3>");
        esc(h, fam);
        rl_strbuf_printf(h->b, " <span class=\"muted\">(%zu)</span></h3>\n", j - i);
        for (size_t k = i, m; k < j; k = m) {
            const rl_finding *f = items[k].f;
            for (m = k; m < j && !cmp_opt(items[m].f->region, f->region) &&
                        !cmp_opt(items[m].f->other_region, f->other_region);)
                m++;
            put(h, "<h4>");
            if (f->region) {
                put(h, "In ");
                put_region(h, f->region);
                if (f->other_region) {
                    put(h, ", involving ");
                    put_region(h, f->other_region);
                }
            } else if (f->other_region) {
                put(h, "Involving ");
                put_region(h, f->other_region);
            } else {
                put(h, "Not tied to a region");
            }
            put(h, "</h4>\n");
            findings_table_open(h, false);
            for (size_t x = k; x < m; x++)
                put_finding_row(h, items[x].f, false);
            put(h, "</tbody></table>\n");
        }
        put(h, "</section>\n");
    }
    put(h, "</section>\n");
}

/* ---- the quota chart ---------------------------------------------------------------- */

static bool is_quota_rule(const char *id)
{
    return !strcmp(id, RL_ID(RL101)) || !strcmp(id, RL_ID(RL102)) || !strcmp(id, RL_ID(RL103)) ||
           !strcmp(id, RL_ID(RL104));
}

/* The number written at a one-line span (quotes and spaces around it ignored). */
static bool number_at(const hctx *h, const char *file, const rl_span *sp, double *out, char *text,
                      size_t textsz)
{
    const rl_source *src = rl_hmap_gets(&h->sources, file);
    const char *line;
    size_t len;
    if (!src || !sp->start.line || sp->end.line != sp->start.line ||
        sp->end.column <= sp->start.column || rl_source_line(src, sp->start.line, &line, &len) < 0)
        return false;
    size_t b0 = rl_utf8_offset(line, len, sp->start.column - 1);
    size_t b1 = rl_utf8_offset(line, len, sp->end.column - 1);
    while (b0 < b1 && strchr(" \t\"'", line[b0]))
        b0++;
    while (b1 > b0 && strchr(" \t\"'", line[b1 - 1]))
        b1--;
    if (b1 == b0 || b1 - b0 >= textsz)
        return false;
    memcpy(text, line + b0, b1 - b0);
    text[b1 - b0] = '\0';
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || v < 0)
        return false;
    *out = v;
    return true;
}

/* One bar: labelled with a region (and its role) or with a related location's message. */
static void put_bar(hctx *h, const char *region, const char *label, const char *text, double v,
                    double max, const char *cls)
{
    put(h, "<div class=\"bar\"><span>");
    if (region)
        put_region(h, region);
    else
        esc(h, label);
    rl_strbuf_printf(h->b,
                     "</span><span class=\"track\"><span class=\"fill %s\" "
                     "style=\"width:%.1f%%\"></span></span><span class=\"val\">",
                     cls, max > 0 ? v / max * 100.0 : 0.0);
    esc(h, text);
    put(h, "</span></div>\n");
}

static void put_quotas(hctx *h)
{
    put(h, "<section id=\"quotas\">\n<h2>Quotas: primary and standby</h2>\n"
           "<p class=\"muted\">Every quota where a standby differs from what the primary has or "
           "needs (rules RL101&#8211;RL104): the value in each region, drawn to the same scale "
           "within a quota.</p>\n");
    size_t n = 0;
    for (size_t i = 0; i < rl_findings_count(h->r->findings); i++) {
        const rl_finding *f = rl_findings_at(h->r->findings, i);
        if (f->suppressed || !is_quota_rule(f->rule_id))
            continue;
        n++;
        double a = 0, b = 0;
        char ta[64], tb[64];
        /* RL104 compares the total of several resources with a quota: the total is in the
         * message only, so it gets no bars */
        bool bars = strcmp(f->rule_id, RL_ID(RL104)) != 0;
        bool has_a = bars && number_at(h, f->file, &f->span, &a, ta, sizeof(ta));
        bool has_b = bars && f->nrelated &&
                     number_at(h, f->related[0].file, &f->related[0].span, &b, tb, sizeof(tb));
        put(h, "<div class=\"quota\"><div>");
        put_level(h, f->level);
        put(h, " ");
        put_rule_link(h, f->rule_id, f->rule);
        put(h, " ");
        esc(h, f->message);
        put(h, " ");
        put_loc(h, f->file, &f->span);
        put(h, "</div>\n");
        double max = fmax(has_a ? a : 0, has_b ? b : 0);
        /* what the finding is compared with (the primary's value, its peak usage) first */
        if (has_b)
            put_bar(h, NULL, f->related[0].message, tb, b, max, "other");
        if (has_a)
            put_bar(h, f->region ? f->region : "?", NULL, ta, a, max, "this");
        if (!has_a || !has_b)
            put(h, "<div class=\"muted\">The values are in the message above.</div>\n");
        put(h, "</div>\n");
    }
    if (!n)
        put(h, "<p>No quota findings: either no service-quotas export was given for both regions, "
               "or every standby quota covers the primary's.</p>\n");
    put(h, "</section>\n");
}

/* ---- the page ------------------------------------------------------------------------ */

static void put_summary(hctx *h, const rl_report_counts *c)
{
    put(h, "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"counts\">");
    rl_strbuf_printf(h->b,
                     "<tr><th><span class=\"lv error\">error</span></th><td>%zu</td></tr>"
                     "<tr><th><span class=\"lv warning\">warning</span></th><td>%zu</td></tr>"
                     "<tr><th><span class=\"lv note\">note</span></th><td>%zu</td></tr>"
                     "<tr><th>suppressed</th><td>%zu</td></tr>"
                     "<tr><th>files</th><td>%zu</td></tr></table>\n",
                     c->error, c->warning, c->note, c->suppressed, c->files);
    rl_strbuf_printf(h->b,
                     "<p>Exit status 1 on a finding at level <strong>%s</strong> or above "
                     "(<code>--fail-on</code>).</p>\n</section>\n",
                     rl_level_name(h->r->fail_on));
}

static void put_suppressed(hctx *h, size_t count)
{
    if (!count)
        return;
    rl_strbuf_printf(h->b,
                     "<section id=\"suppressed\">\n<h2>Suppressed findings (%zu)</h2>\n"
                     "<p class=\"muted\">Each with the suppression that silenced it and its "
                     "reason.</p>\n",
                     count);
    findings_table_open(h, true);
    for (size_t i = 0; i < rl_findings_count(h->r->findings); i++) {
        const rl_finding *f = rl_findings_at(h->r->findings, i);
        if (f->suppressed)
            put_finding_row(h, f, true);
    }
    put(h, "</tbody></table>\n</section>\n");
}

static void put_inputs(hctx *h)
{
    const rl_inputs *in = h->r->inputs;
    size_t n = in ? rl_inputs_count(in) : 0, skipped = in ? rl_inputs_skipped_count(in) : 0;
    rl_strbuf_printf(h->b,
                     "<section id=\"inputs\">\n<h2>Files</h2>\n<details><summary>%zu file%s "
                     "read, %zu skipped</summary>\n<table><thead><tr><th>File</th><th>Kind</th>"
                     "<th>Region</th></tr></thead><tbody>\n",
                     n, n == 1 ? "" : "s", skipped);
    for (size_t i = 0; i < n; i++) {
        const rl_input *it = rl_inputs_at(in, i);
        put(h, "<tr><td><code>");
        esc(h, it->path);
        put(h, "</code></td><td>");
        if (!it->doc)
            put(h, "not read (see RL001)");
        else if (it->kind == RL_INPUT_UNKNOWN)
            put(h, it->looks_aws ? "not recognised (see RL002)"
                                 : "not linted: not a kind of input "
                                   "regionlint reads");
        else
            esc(h, rl_input_kind_name(it->kind));
        put(h, "</td><td>");
        if (it->region)
            put_region(h, it->region);
        else if (it->kind == RL_INPUT_CFN_TEMPLATE || it->kind == RL_INPUT_CFN_PARAMS ||
                 it->kind == RL_INPUT_TF_CONFIG)
            put(h, "shared: deployed to every region");
        else if (it->doc && it->kind != RL_INPUT_UNKNOWN)
            put(h, "not tied to one region");
        put(h, "</td></tr>\n");
    }
    for (size_t i = 0; i < skipped; i++) {
        put(h, "<tr><td><code>");
        esc(h, rl_inputs_skipped_at(in, i));
        put(h, "</code></td><td>skipped: ");
        esc(h, rl_inputs_skipped_why(in, i));
        put(h, "</td><td></td></tr>\n");
    }
    put(h, "</tbody></table>\n</details>\n</section>\n");
}

static int cmp_rule(const void *a, const void *b)
{
    return strcmp((*(const rl_finding *const *)a)->rule_id,
                  (*(const rl_finding *const *)b)->rule_id);
}

/* The rules that reported something, with their documentation. */
static int put_rules(hctx *h)
{
    size_t n = rl_findings_count(h->r->findings);
    if (!n)
        return RL_OK;
    const rl_finding **v = malloc(n * sizeof(*v));
    if (!v)
        return RL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = rl_findings_at(h->r->findings, i);
    qsort(v, n, sizeof(*v), cmp_rule);
    put(h, "<section id=\"rules\">\n<h2>Rules</h2>\n<table><thead><tr><th>Rule</th><th>Title</th>"
           "<th>Family</th><th>Documentation</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(v[i]->rule_id, v[i - 1]->rule_id))
            continue;
        const rl_rule *rule = v[i]->rule;
        put(h, "<tr><td>");
        esc(h, v[i]->rule_id);
        put(h, "</td><td>");
        esc(h, rule && rule->title ? rule->title : "");
        put(h, "</td><td>");
        esc(h, family_of(v[i]));
        put(h, "</td><td>");
        if (rule && rl_report_url_ok(rule->help_uri)) {
            put(h, "<a href=\"");
            esc_attr(h, rule->help_uri);
            put(h, "\">");
            esc(h, rule->help_uri);
            put(h, "</a>");
        } else {
            put(h, "<code>regionlint --explain ");
            esc(h, v[i]->rule_id);
            put(h, "</code>");
        }
        put(h, "</td></tr>\n");
    }
    put(h, "</tbody></table>\n</section>\n");
    free(v);
    return RL_OK;
}

int rl_report_html(FILE *out, const rl_report *r, rl_error *err)
{
    rl_strbuf b = RL_STRBUF_INIT;
    hctx h = {&b, r, RL_HMAP_INIT};
    rl_hmap keys = RL_HMAP_INIT;
    size_t nf = rl_findings_count(r->findings);
    hitem *items = malloc((nf ? nf : 1) * sizeof(*items));
    int rc = RL_OK;
    if (!items || rl_report_sources(r, &h.sources) < 0) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    size_t n = sort_findings(&h, items, &keys);
    if (n == (size_t)-1) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    rl_report_counts c;
    rl_report_count(r, &c);

    put(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    rl_strbuf_printf(
        &b, "<meta name=\"generator\" content=\"regionlint %s\">\n<title>regionlint: ", RL_VERSION);
    esc(&h, r->primary ? r->primary : "?");
    for (size_t i = 0; i < r->nstandby; i++) {
        put(&h, i ? ", " : " &#8594; ");
        esc(&h, r->standby[i]);
    }
    rl_strbuf_printf(&b, " &#8212; %zu error%s, %zu warning%s, %zu note%s</title>\n", c.error,
                     c.error == 1 ? "" : "s", c.warning, c.warning == 1 ? "" : "s", c.note,
                     c.note == 1 ? "" : "s");
    rl_strbuf_printf(&b,
                     "<style>\n%s</style>\n</head>\n<body>\n<header>\n"
                     "<h1>regionlint report</h1>\n<p class=\"meta\">Primary <strong>",
                     css);
    esc(&h, r->primary ? r->primary : "?");
    put(&h, "</strong> &#183; standby <strong>");
    for (size_t i = 0; i < r->nstandby; i++) {
        if (i)
            put(&h, ", ");
        esc(&h, r->standby[i]);
    }
    rl_strbuf_printf(&b,
                     "</strong> &#183; strategy <strong>%s</strong> &#183; regionlint %s</p>\n"
                     "</header>\n<nav><ul><li><a href=\"#summary\">Summary</a></li>"
                     "<li><a href=\"#quotas\">Quotas</a></li>"
                     "<li><a href=\"#findings\">Findings</a></li>",
                     rl_strategy_name(r->strategy), RL_VERSION);
    if (c.suppressed)
        put(&h, "<li><a href=\"#suppressed\">Suppressed</a></li>");
    put(&h, "<li><a href=\"#inputs\">Files</a></li>");
    if (nf)
        put(&h, "<li><a href=\"#rules\">Rules</a></li>");
    put(&h, "</ul></nav>\n<main>\n");
    put_summary(&h, &c);
    put_quotas(&h);
    put_findings(&h, items, n);
    put_suppressed(&h, c.suppressed);
    put_inputs(&h);
    if (put_rules(&h) < 0 || b.failed) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    put(&h, "</main>\n</body>\n</html>\n");
    if (b.failed) {
        rc = rl_error_set(err, RL_ENOMEM, NULL, 0, 0, "out of memory");
        goto cleanup;
    }
    fwrite(b.data, 1, b.len, out);
    if (ferror(out))
        rc = rl_error_set(err, RL_EIO, NULL, 0, 0, "write error");
cleanup:
    free(items);
    rl_hmap_free(&keys);
    rl_hmap_free(&h.sources);
    rl_strbuf_free(&b);
    return rc;
}
