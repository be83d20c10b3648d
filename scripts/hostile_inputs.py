#!/usr/bin/env python3
"""The hostile pages of scripts/check-hostile.sh (dev-only helper).

    hostile_inputs.py write DIR        writes every page as DIR/<case>.html, prints the case names
    hostile_inputs.py summarize FILE   one-line summary of a `khabar extract` output file

The same cases as Tests/KhabarCoreTests/HostileInputTests.swift, plus the sizes a debug test
build is too slow for: a 50 MB page and a 100,000-deep <div> nest as files. Deterministic.
"""
import json
import random
import sys
from pathlib import Path

PARAGRAPHS = [
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في العاصمة يضم ثلاثمئة سرير ووحدات متخصصة "
    "للعناية المركزة وطب الأطفال، في خطوة قالت إنها تهدف إلى تخفيف الضغط عن المستشفيات القائمة.",
    "وقال الوزير في مؤتمر صحفي إن المشروع استغرق ثلاث سنوات من العمل المتواصل بتكلفة بلغت نحو "
    "مئتي مليون دولار، مشيرا إلى أن المستشفى سيبدأ باستقبال المرضى مطلع الشهر المقبل.",
    "وأضاف أن الوزارة تعتزم توظيف أكثر من ألف طبيب وممرض خلال العام الجاري، وأن خطة التوسع تشمل "
    "إنشاء مراكز صحية في المحافظات الجنوبية.",
]
HEAD = '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خبر</title></head>'
ARTICLE = "<article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>"


def page(body: str) -> bytes:
    return (HEAD + "<body>" + body + "</body></html>").encode()


def repeated(size: int) -> bytes:
    paragraph = ("<p>" + " ".join(PARAGRAPHS) + "</p>\n").encode()
    head, tail = (HEAD + "<body><article>").encode(), b"</article></body></html>"
    return head + paragraph * (size // len(paragraph) + 1) + tail


def cases():
    rng = random.Random(20261123)
    noise = lambda n: bytes(rng.getrandbits(8) for _ in range(n))
    script = f"<script>var a = \"{PARAGRAPHS[0]}\"; document.write('<p>' + a + '</p>');</script>"
    yield "empty", b""
    yield "whitespace", b" \n\t\r\n   \x0c" * 100
    yield "random-64k", noise(65536)
    yield "png-noise", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise(65536)
    yield "gzip-noise", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + noise(65536)
    yield "invalid-utf8", ((HEAD + f"<body><article><p>{PARAGRAPHS[0]}</p><p>قبل").encode()
                           + b"\xff\xfe\xc3\x28\xe2\x82"
                           + f" بعد</p><p>{PARAGRAPHS[1]}</p></article></body></html>".encode())
    yield "nul-bytes", ((HEAD + f"<body><article><p>{PARAGRAPHS[0]}</p><p>قبل").encode() + b"\x00\x00"
                        + f"بعد</p><p>{PARAGRAPHS[1]}</p></article></body></html>".encode())
    yield "no-body", ("<html><head><title>خبر</title></head>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
                      + "</html>").encode()
    yield "unclosed-tags", ("<html><head><title>خبر<body><div><section><article><h1>عنوان"
                            + "".join(f"<p><span><b>{p}" for p in PARAGRAPHS)
                            + "<div><table><tr><td><ul><li><a href=/x>").encode()
    yield "scripts-only", page(script * 50 + "<noscript><style>p{color:red}</style></noscript>")
    yield "deep-100k", page("<div>" * 100_000 + ARTICLE + "</div>" * 100_000)
    yield "deep-100k-unclosed", page("<div>" * 100_000 + ARTICLE)
    yield "repeated-5mb", repeated(5_000_000)
    yield "repeated-50mb", repeated(50_000_000)
    yield "one-50mb-text-node", page("<p>" + "كلمة " * 5_600_000 + "</p>")


def summarize(path):
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    if len(lines) != 1:
        return f"{len(lines)} output lines"
    try:
        record = json.loads(lines[0])
    except ValueError as error:
        return f"bad JSON: {error}"
    if "error" in record:
        return "error: " + record["error"]
    text = record.get("text") or ""
    return f"article: {record.get('word_count')} words, {len(text.encode())} bytes of text"


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "summarize"):
        sys.exit("usage: hostile_inputs.py write DIR | summarize FILE")
    if sys.argv[1] == "summarize":
        print(summarize(sys.argv[2]))
        return
    folder = Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in cases():
        (folder / f"{name}.html").write_bytes(data)
        print(name)


if __name__ == "__main__":
    main()
