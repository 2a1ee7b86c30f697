//! Byte offsets of the core to LSP positions and back, in the encoding the client and the
//! server agreed on at `initialize`.
//!
//! The core speaks byte spans only. LSP positions are a line and a column; lines end at
//! `\n`, `\r\n` or `\r`, and columns count UTF-16 code units unless both sides chose UTF-8.
//! Every conversion goes through the document's [`Rope`], which knows both counts, so a
//! line with an emoji or CJK text converts exactly. Positions the client got wrong (past
//! the end of a line or of the document, inside a surrogate pair) are clamped, never
//! trusted.

use pipelint_yaml::Span;
use ropey::Rope;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

/// How columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-16 code units: the LSP default, which every client supports.
    #[default]
    Utf16,
    /// Bytes of UTF-8.
    Utf8,
}

impl Encoding {
    /// The encoding to use given what the client offers: UTF-8 when it is offered (no
    /// conversion needed on our side), else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf8 => PositionEncodingKind::UTF8,
        }
    }
}

/// Converts between byte offsets and positions of one text.
#[derive(Clone, Copy)]
pub struct Lines<'a> {
    rope: &'a Rope,
    encoding: Encoding,
    /// The same text as a string with its line starts ([`line_starts`]), when the caller
    /// has them: [`Lines::position`] then needs no walk down the rope.
    indexed: Option<(&'a str, &'a [usize])>,
}

impl<'a> Lines<'a> {
    pub fn new(rope: &'a Rope, encoding: Encoding) -> Self {
        Lines {
            rope,
            encoding,
            indexed: None,
        }
    }

    /// [`Lines::new`] with the text of the rope and its [`line_starts`]. Converting the
    /// diagnostics of a large file is then a binary search and a short scan each, not
    /// five rope queries.
    pub fn indexed(rope: &'a Rope, encoding: Encoding, text: &'a str, starts: &'a [usize]) -> Self {
        Lines {
            rope,
            encoding,
            indexed: Some((text, starts)),
        }
    }

    /// The position of a byte offset. An offset past the end is the end; an offset inside a
    /// character is the start of that character.
    pub fn position(&self, offset: usize) -> Position {
        if let Some((text, starts)) = self.indexed {
            let mut byte = offset.min(text.len());
            while !text.is_char_boundary(byte) {
                byte -= 1;
            }
            // `starts[0]` is 0, so the line is found.
            let line = starts.partition_point(|&s| s <= byte).saturating_sub(1);
            let prefix = text
                .get(starts.get(line).copied().unwrap_or(0)..byte)
                .unwrap_or("");
            let col = match self.encoding {
                Encoding::Utf8 => prefix.len(),
                Encoding::Utf16 if prefix.is_ascii() => prefix.len(),
                Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            };
            return Position::new(to_u32(line), to_u32(col));
        }
        let rope = self.rope;
        let byte = offset.min(rope.len_bytes());
        let ch = rope.byte_to_char(byte);
        let line = rope.char_to_line(ch);
        let line_char = rope.line_to_char(line);
        let col = match self.encoding {
            Encoding::Utf16 => rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(line_char),
            Encoding::Utf8 => rope.char_to_byte(ch) - rope.line_to_byte(line),
        };
        Position::new(to_u32(line), to_u32(col))
    }

    pub fn range(&self, span: Span) -> Range {
        Range::new(
            self.position(span.start),
            self.position(span.end.max(span.start)),
        )
    }

    /// The character index of a position, clamped: a line past the last is the end of the
    /// text, a column past the line's end is the line's end, a column inside a character
    /// (half a surrogate pair, a byte inside a UTF-8 sequence) is that character's start.
    pub fn char_index(&self, pos: Position) -> usize {
        let rope = self.rope;
        let line = pos.line as usize;
        if line >= rope.len_lines() {
            return rope.len_chars();
        }
        let start = rope.line_to_char(line);
        let end = start + content_chars(rope, line);
        let col = pos.character as usize;
        match self.encoding {
            Encoding::Utf16 => {
                let base = rope.char_to_utf16_cu(start);
                let limit = rope.char_to_utf16_cu(end);
                let target = base.saturating_add(col);
                if target >= limit {
                    end
                } else {
                    rope.utf16_cu_to_char(target)
                }
            }
            Encoding::Utf8 => {
                let base = rope.char_to_byte(start);
                let limit = rope.char_to_byte(end);
                let target = base.saturating_add(col);
                if target >= limit {
                    end
                } else {
                    rope.byte_to_char(target)
                }
            }
        }
    }

    /// The byte offset of a position, clamped as [`Lines::char_index`] does.
    pub fn offset(&self, pos: Position) -> usize {
        self.rope.char_to_byte(self.char_index(pos))
    }

    /// The byte span of a range; a range whose end comes before its start is read the
    /// other way round.
    pub fn span(&self, range: Range) -> Span {
        let a = self.offset(range.start);
        let b = self.offset(range.end);
        Span::new(a.min(b), a.max(b))
    }
}

/// The byte offset of each line's start, lines ending at `\n`, `\r\n` or `\r` (as the
/// rope counts them).
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    if !text.contains('\r') {
        // Most texts: the `\n`s found by the standard library's fast search.
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        return starts;
    }
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// The number of characters of a line without its line break.
fn content_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut n = slice.len_chars();
    if n > 0 && slice.char(n - 1) == '\n' {
        n -= 1;
    }
    if n > 0 && slice.char(n - 1) == '\r' {
        n -= 1;
    }
    n
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn emoji_and_cjk_columns_in_both_encodings() {
        let text = "a: 1\nname: \"🚀 漢字 x\"\r\nend";
        let rope = Rope::from_str(text);
        let x = text.find('x').expect("x");
        let utf16 = Lines::new(&rope, Encoding::Utf16);
        let utf8 = Lines::new(&rope, Encoding::Utf8);
        // `name: "` is 7, the rocket 2 code units (4 bytes), a space, two CJK characters
        // (1 unit / 3 bytes each) and a space.
        assert_eq!(utf16.position(x), pos(1, 7 + 2 + 1 + 2 + 1));
        assert_eq!(utf8.position(x), pos(1, 7 + 4 + 1 + 6 + 1));
        for lines in [utf16, utf8] {
            assert_eq!(lines.offset(lines.position(x)), x);
        }
        assert_eq!(utf16.position(text.len()), pos(2, 3));
    }

    #[test]
    fn the_indexed_positions_are_the_rope_positions() {
        let texts = [
            "",
            "\n",
            "a: 1\nname: \"🚀 漢字 x\"\r\nend",
            "a\rb\r\n\r\nc\n\r",
            "🚀x\n\u{2028}y\u{85}z\n",
            "é\r\n🚀🚀\rlast",
        ];
        for text in texts {
            let rope = Rope::from_str(text);
            let starts = line_starts(text);
            for enc in [Encoding::Utf16, Encoding::Utf8] {
                let slow = Lines::new(&rope, enc);
                let fast = Lines::indexed(&rope, enc, text, &starts);
                for offset in 0..=text.len() + 2 {
                    assert_eq!(
                        fast.position(offset),
                        slow.position(offset),
                        "{text:?} at {offset} in {enc:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd";
        let rope = Rope::from_str(text);
        for enc in [Encoding::Utf16, Encoding::Utf8] {
            let lines = Lines::new(&rope, enc);
            assert_eq!(
                lines.offset(pos(0, 99)),
                2,
                "column past the line, before \\r\\n"
            );
            assert_eq!(lines.offset(pos(9, 0)), text.len(), "line past the end");
            assert_eq!(lines.offset(pos(u32::MAX, u32::MAX)), text.len());
            assert_eq!(lines.position(999), pos(1, 2));
        }
    }

    #[test]
    fn inside_a_character_goes_to_its_start() {
        let text = "🚀x";
        let rope = Rope::from_str(text);
        assert_eq!(Lines::new(&rope, Encoding::Utf16).offset(pos(0, 1)), 0);
        assert_eq!(Lines::new(&rope, Encoding::Utf16).offset(pos(0, 2)), 4);
        assert_eq!(Lines::new(&rope, Encoding::Utf8).offset(pos(0, 2)), 0);
        // A byte offset inside the rocket is the rocket's position.
        assert_eq!(Lines::new(&rope, Encoding::Utf16).position(2), pos(0, 0));
    }

    #[test]
    fn lone_carriage_return_ends_a_line() {
        let text = "a\rb";
        let rope = Rope::from_str(text);
        let lines = Lines::new(&rope, Encoding::Utf16);
        assert_eq!(lines.position(2), pos(1, 0));
        assert_eq!(lines.offset(pos(1, 1)), 3);
    }

    #[test]
    fn unicode_line_separators_are_not_line_breaks() {
        // LSP ends lines at \n, \r\n and \r only; U+2028 is an ordinary character.
        let text = "a\u{2028}b\nc";
        let rope = Rope::from_str(text);
        let lines = Lines::new(&rope, Encoding::Utf16);
        assert_eq!(lines.position(text.find('b').expect("b")), pos(0, 2));
        assert_eq!(lines.position(text.find('c').expect("c")), pos(1, 0));
    }

    #[test]
    fn negotiation_prefers_utf8_when_offered() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Encoding::Utf16
        );
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
