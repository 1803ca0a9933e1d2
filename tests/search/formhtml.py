"""The browse page's form read as a screen reader names it: each control with its accessible name (its
aria-label, or its label's text without the parts hidden from assistive technology), and each chip."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

CONTROLS = ("input", "select", "textarea")


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    name: str = ""  # the accessible name


@dataclass
class _Label:
    target: str  # the `for` id, or "" for a wrapping label
    text: list[str] = field(default_factory=list)
    wrapped: list[Control] = field(default_factory=list)


class PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[Control] = []
        self.chips: list[tuple[str, str]] = []  # (aria-label, href)
        self.headings: list[int] = []
        self._labels: list[_Label] = []
        self._open: list[_Label] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, aria-hidden)
        self._slots: dict[str, list[str]] = {}
        self._slot: str | None = None
        self._slot_depth = 0

    def _hidden(self) -> bool:
        return any(h for _, h in self._stack)

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.headings.append(int(tag[1]))
        if tag == "a" and "chip" in attrs.get("class", "").split():
            self.chips.append((attrs.get("aria-label", ""), attrs["href"]))
        if tag == "div" and attrs.get("class") == "field-error-slot":
            self._slot, self._slot_depth = attrs["id"], len(self._stack)
            self._slots[attrs["id"]] = []
        if tag == "label":
            label = _Label(attrs.get("for", ""))
            self._labels.append(label)
            self._open.append(label)
        if tag in CONTROLS:
            control = Control(tag, attrs, attrs.get("aria-label", ""))
            self.controls.append(control)
            if self._open and not self._open[-1].target:
                self._open[-1].wrapped.append(control)
        if tag not in ("input", "br", "meta", "link", "img", "hr"):
            self._stack.append((tag, attrs.get("aria-hidden") == "true"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._open:
            self._open.pop()
        while self._stack:
            top, _ = self._stack.pop()
            if top == tag:
                break
        if self._slot is not None and len(self._stack) <= self._slot_depth:
            self._slot = None

    def handle_data(self, data: str) -> None:
        if self._slot is not None:
            self._slots[self._slot].append(data)
        if self._open and not self._hidden() and not any(t in ("select", "option") for t, _ in self._stack):
            for label in self._open:
                label.text.append(data)

    def close(self) -> None:
        super().close()
        by_id = {c.attrs["id"]: c for c in self.controls if "id" in c.attrs}
        for label in self._labels:
            text = " ".join("".join(label.text).split())
            targets = [by_id[label.target]] if label.target in by_id else label.wrapped
            for control in targets:
                control.name = control.name or text

    def slot(self, name: str) -> str:
        """The text of a field's error slot (`error-<name>`)."""
        return " ".join("".join(self._slots.get(f"error-{name}", [])).split())


def page_read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader
