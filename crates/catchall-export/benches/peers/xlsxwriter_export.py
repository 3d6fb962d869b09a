"""Peer: Python XlsxWriter writing the same workbook as ours.

A straightforward script: reads the JSON Lines job line by line, writes the
same Records columns (company split into name/domain/confidence, citations
summarised), a Sources sheet (one row per citation) and a Run sheet, in
constant_memory mode, numbers as numbers, dates as dates, links as hyperlinks
(up to Excel's 65,530 per sheet).
"""
import datetime as dt
import json
import sys

import xlsxwriter

FIELDS = [
    ("company_name", "company"), ("deal_amount", "number"), ("announced_date", "date"),
    ("deal_type", "option"), ("press_url", "url"), ("summary", "text"),
    ("headline_quote", "text"), ("sector", "option"), ("employees", "number"),
    ("location", "text"), ("key_people", "text"), ("rationale", "text"),
]
MAX_LINKS = 65530


def parse_date(s):
    try:
        if len(s) == 10:
            return dt.datetime.strptime(s, "%Y-%m-%d"), False
        return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).replace(tzinfo=None), True
    except (ValueError, TypeError):
        return None, False


def main(inp, out):
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_urls": False,
                                   "strings_to_numbers": False, "strings_to_formulas": False})
    bold = wb.add_format({"bold": True})
    fdate = wb.add_format({"num_format": "yyyy-mm-dd"})
    fdt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    rec = wb.add_worksheet("Records")
    src = wb.add_worksheet("Sources")
    run = wb.add_worksheet("Run")
    headers = ["record_id", "record_title"]
    for name, kind in FIELDS:
        headers += [name, name + "_domain", name + "_confidence"] if kind == "company" else [name]
    headers += ["enrichment_confidence", "citation_count", "first_source_title",
                "first_source_url", "first_source_date", "all_sources"]
    rec.write_row(0, 0, headers, bold)
    rec.freeze_panes(1, 0)
    src.write_row(0, 0, ["record_id", "position", "title", "link", "published_date"], bold)
    src.freeze_panes(1, 0)
    links = {"rec": 0, "src": 0}

    def url(ws, key, r, c, s):
        if s and links[key] < MAX_LINKS and s.startswith(("http://", "https://")) and len(s) <= 2079:
            ws.write_url(r, c, s)
            links[key] += 1
        elif s:
            ws.write_string(r, c, s)

    def date(ws, r, c, s):
        d, has_time = parse_date(s)
        if d is not None:
            ws.write_datetime(r, c, d, fdt if has_time else fdate)
        elif s:
            ws.write_string(r, c, s)

    def text(ws, r, c, v):
        if v is None:
            return
        if isinstance(v, bool):
            ws.write_boolean(r, c, v)
        elif isinstance(v, (int, float)):
            ws.write_number(r, c, v)
        elif isinstance(v, list):
            ws.write_string(r, c, "; ".join(str(x) for x in v if x is not None)[:32767])
        elif isinstance(v, dict):
            ws.write_string(r, c, json.dumps(v, ensure_ascii=False)[:32767])
        elif v != "":
            ws.write_string(r, c, str(v)[:32767])

    row = 0
    srow = 0
    with open(inp, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            row += 1
            e = r.get("enrichment") or {}
            text(rec, row, 0, r.get("record_id"))
            text(rec, row, 1, r.get("record_title"))
            c = 2
            for name, kind in FIELDS:
                v = e.get(name)
                if kind == "company":
                    v = v or {}
                    meta = v.get("metadata") or {}
                    text(rec, row, c, meta.get("name") or v.get("source_text"))
                    url(rec, "rec", row, c + 1, meta.get("domain_url"))
                    text(rec, row, c + 2, v.get("confidence"))
                    c += 3
                    continue
                if kind == "date" and isinstance(v, str):
                    date(rec, row, c, v)
                elif kind == "url" and isinstance(v, str):
                    url(rec, "rec", row, c, v)
                else:
                    text(rec, row, c, v)
                c += 1
            text(rec, row, c, e.get("enrichment_confidence"))
            cits = r.get("citations") or []
            rec.write_number(row, c + 1, len(cits))
            if cits:
                first = cits[0]
                text(rec, row, c + 2, first.get("title"))
                url(rec, "rec", row, c + 3, first.get("link"))
                date(rec, row, c + 4, first.get("published_date"))
                text(rec, row, c + 5, "\n".join(f"{x.get('title', '')} <{x.get('link', '')}>" for x in cits))
            for i, cit in enumerate(cits):
                srow += 1
                text(src, srow, 0, r.get("record_id"))
                src.write_number(srow, 1, i + 1)
                text(src, srow, 2, cit.get("title"))
                url(src, "src", srow, 3, cit.get("link"))
                date(src, srow, 4, cit.get("published_date"))
    rec.autofilter(0, 0, row, len(headers) - 1)
    src.autofilter(0, 0, srow, 4)
    for i, (k, v) in enumerate([("query", "bench"), ("records", str(row))]):
        run.write_string(i, 0, k, bold)
        run.write_string(i, 1, v)
    wb.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
