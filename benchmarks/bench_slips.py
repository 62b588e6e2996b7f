"""Slips per second for a typical 5-item order, beside a bare ReportLab canvas drawing the same
text and barcode (the floor of what the library can do). One core, same run."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfgen.canvas import Canvas

from slipstation.app import Station
from slipstation.credentials import Credentials, Secret
from slipstation.loopback import samples
from slipstation.orders.models import Order, parse_order
from slipstation.slips.slip import SlipOptions, address_lines, render_slip


def typical_payload(name: str = "Zoë Müller", street: str = "Königstraße 12",
                    city: str = "München", title: str = "Organic cotton tote bag",
                    notes: str = "Please gift wrap.", number: str = "#104857",
                    seed: str = "") -> dict[str, object]:
    items = [samples.line_item(f"{title} {i}", f"TOTE-{i:03d}", 1 + i % 2,
                               variant="Natural / Large", seed=seed) for i in range(5)]
    to = samples.address(name, street, city, "80331", "DE", seed=seed)
    return samples.order(number, datetime(2026, 11, 20, tzinfo=UTC), to=to, items=items,
                         notes=notes, seed=seed)


def typical_order(*args: str) -> Order:
    return parse_order(typical_payload(*args))


# The same order in other scripts: (name, street, city, item title, notes).
SCRIPTS = {
    "Latin+Ł": ("Łukasz Kowalski", "ul. Długa 5", "Gdańsk", "Torba bawełniana", "Dziękuję"),
    "Cyrillic": ("Анна Петрова", "ул. Ленина 5", "Москва", "Сумка хлопковая", "Спасибо"),
    "Arabic": ("محمد العلي", "شارع الملك 12", "دبي", "حقيبة قطنية", "الرجاء التغليف كهدية"),
    "Hebrew": ("דוד כהן", "רחוב הרצל 5", "תל אביב", "תיק כותנה", "עטיפת מתנה בבקשה"),
    "Thai": ("สมชาย ใจดี", "ถนนสุขุมวิท 5", "กรุงเทพมหานคร", "กระเป๋าผ้าฝ้าย", "ขอบคุณครับ"),
    "Devanagari": ("प्रिया शर्मा", "मुख्य मार्ग 5", "नई दिल्ली", "सूती थैला", "कृपया उपहार पैक करें"),
    "Chinese": ("王小明", "朝阳区建国路 5 号", "北京市", "有机棉手提袋", "请包装成礼物"),
    "Korean": ("김민준", "세종대로 5", "서울특별시", "면 토트백", "선물 포장 부탁드립니다"),
    "Emoji": ("Mr Hippo", "1 High St", "Leeds", "Tote bag 🎒", "Happy birthday 🎉🎁"),
}


def bare_canvas(order: Order) -> bytes:
    """The same words and barcode, placed at fixed positions with no layout logic."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(288, 432), invariant=1, pageCompression=1)
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(150, 400, order.display_number)
    Code128(order.display_number, barWidth=1.06, barHeight=32, humanReadable=False
            ).drawOn(canvas, 12, 360)
    canvas.setFont("Helvetica", 9)
    y = 340.0
    for line in [f"Order date: {order.placed_at:%Y-%m-%d}", order.shipping_method,
                 order.to_address.name, *address_lines(order.to_address)]:
        canvas.drawString(12, y, line)
        y -= 11
    for item in order.line_items:
        canvas.drawString(12, y, str(item.quantity))
        canvas.drawString(40, y, item.title)
        canvas.drawString(40, y - 10, item.variant_title)
        canvas.drawString(40, y - 20, f"SKU: {item.sku}")
        y -= 32
    canvas.drawString(12, y, f"Total items: {order.item_count}")
    canvas.drawString(12, 20, order.notes)
    canvas.drawString(230, 8, "Page 1 of 1")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def rate(render: Callable[[], bytes], seconds: float = 3.0) -> tuple[float, int]:
    render()  # warm up: font registration, caches
    count, size = 0, 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        size = len(render())
        count += 1
    return count / elapsed, size


def render_all_seconds(count: int) -> float:
    """`slipstation render --all` over `count` stored orders like the typical one (so the bare
    canvas compares like with like), process start to the last file written."""
    from bench_gui import _child_env

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = (Path(tmp) / "station").resolve()
        try:
            with Station(data_dir) as station:
                payloads = [typical_payload(number=f"#{200000 + i}", seed=f"all-{i}")
                            for i in range(count)]
                station.order_store.upsert([(parse_order(raw), raw) for raw in payloads])
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "slipstation", "--data-dir", str(data_dir),
                            "render", "--all", "-o", str(Path(tmp) / "slips")],
                           check=True, stdout=subprocess.DEVNULL, env=_child_env())
            elapsed = time.perf_counter() - started
            assert len(list((Path(tmp) / "slips").iterdir())) == count
        finally:
            for name in Secret:
                Credentials(data_dir).delete(name)
    return elapsed


def measure(batch: int = 2000) -> list[tuple[str, str]]:
    order = typical_order()
    options = SlipOptions(paper="4x6")
    ours, our_size = rate(lambda: render_slip(order, options))
    bare, bare_size = rate(lambda: bare_canvas(order))
    rows = [("4x6 slip, 5 items, one core",
             f"{ours:,.0f} slips/s ({our_size:,} B) vs bare ReportLab canvas {bare:,.0f}/s "
             f"({bare_size:,} B): {ours / bare:.2f}× (goal ≥ 0.5×)")]
    for script, (name, street, city, title, notes) in SCRIPTS.items():
        scripted = typical_order(name, street, city, title, notes)
        speed, size = rate(lambda order=scripted: render_slip(order, options), seconds=1.5)
        rows.append((f"  {script} slip", f"{speed:,.0f} slips/s ({size:,} B): "
                     f"{speed / bare:.2f}× the bare canvas"))
    if batch:
        rate_all = batch / render_all_seconds(batch)
        rows.append((f"render --all, {batch:,} stored orders, end to end",
                     f"{rate_all:,.0f} slips/s (process start to the last private file) vs "
                     f"the bare canvas {bare:,.0f}/s: {rate_all / bare:.2f}× (goal ≥ 0.5×)"))
    return rows


def main() -> None:
    for name, figure in measure():
        print(f"{name}: {figure}")


if __name__ == "__main__":
    main()
