"""The sentence strip: the pictograms the user has tapped, in order, as keywords for the model."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StripItem:
    label: str
    words: tuple[str, ...]  # what this item adds to the keyword list
    pictogram_id: int | None = None
    background: str = "#ffffff"
    marker: bool = False


@dataclass
class SentenceStrip:
    items: list[StripItem] = field(default_factory=list)

    def add(self, item: StripItem) -> None:
        self.items.append(item)

    def remove_last(self) -> StripItem | None:
        if not self.items:
            return None
        return self.items.pop()

    def remove_at(self, index: int) -> StripItem | None:
        if not 0 <= index < len(self.items):
            return None
        return self.items.pop(index)

    def clear(self) -> None:
        self.items.clear()

    @property
    def keywords(self) -> list[str]:
        return [w for item in self.items for w in item.words]

    @property
    def empty(self) -> bool:
        return not self.items
