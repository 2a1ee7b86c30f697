//! Byte offsets to lines and columns, and back.
//!
//! Inside pipelint every position is a byte offset. Lines and columns exist only at the
//! edges: the CLI counts columns in Unicode characters, the language server in UTF-16 code
//! units or bytes, whichever the client negotiated. This index serves both.

use crate::Span;

/// A column unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    /// Unicode scalar values (what a person counts, and what the CLI prints).
    Char,
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Bytes of UTF-8 (LSP `positionEncoding: utf-8`).
    Utf8,
}

/// Line starts of a text. Lines end at `\n`; a `\r` before it belongs to the line ending.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

/// A zero-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // The standard library's search for a `char` is a fast memchr.
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The zero-based line holding `offset` (an offset past the end is on the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte span of a line without its line ending.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let mut end = self.starts.get(line + 1).map_or(self.len, |s| s - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }

    /// The start of a line (the text's end for a line past the last).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// Zero-based line and column of a byte offset, the column counted in `unit`.
    pub fn line_col(&self, text: &str, offset: usize, unit: ColumnUnit) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let prefix = &text[start..offset];
        let col = match unit {
            ColumnUnit::Char => prefix.chars().count(),
            ColumnUnit::Utf16 => prefix.encode_utf16().count(),
            ColumnUnit::Utf8 => prefix.len(),
        };
        LineCol { line, col }
    }

    /// The byte offset of a zero-based line and column in `unit`. A column past the end of
    /// the line clamps to the line's end; a line past the end clamps to the text's end.
    pub fn offset(&self, text: &str, pos: LineCol, unit: ColumnUnit) -> usize {
        if pos.line >= self.starts.len() {
            return self.len;
        }
        let line = self.line_span(text, pos.line);
        let line_text = &text[line.range()];
        let mut consumed = 0;
        for (i, ch) in line_text.char_indices() {
            if consumed >= pos.col {
                return line.start + i;
            }
            consumed += match unit {
                ColumnUnit::Char => 1,
                ColumnUnit::Utf16 => ch.len_utf16(),
                ColumnUnit::Utf8 => ch.len_utf8(),
            };
            if consumed > pos.col {
                // Inside a character (half a surrogate pair): stay before it.
                return line.start + i;
            }
        }
        line.end
    }
}

/// The largest char boundary not after `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    if i >= text.len() {
        return text.len();
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_in_every_unit() {
        let text = "a: 1\nname: \"🚀 x\"\r\nend";
        let idx = LineIndex::new(text);
        let x = text.find('x').expect("x");
        assert_eq!(
            idx.line_col(text, x, ColumnUnit::Char),
            LineCol { line: 1, col: 9 }
        );
        assert_eq!(
            idx.line_col(text, x, ColumnUnit::Utf16),
            LineCol { line: 1, col: 10 }
        );
        assert_eq!(
            idx.line_col(text, x, ColumnUnit::Utf8),
            LineCol { line: 1, col: 12 }
        );
        for unit in [ColumnUnit::Char, ColumnUnit::Utf16, ColumnUnit::Utf8] {
            let lc = idx.line_col(text, x, unit);
            assert_eq!(idx.offset(text, lc, unit), x);
        }
        assert_eq!(idx.line_span(text, 1), Span::new(5, 19));
        assert_eq!(&text[idx.line_span(text, 2).range()], "end");
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 99 }, ColumnUnit::Utf16),
            2
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 9, col: 0 }, ColumnUnit::Utf16),
            5
        );
        assert_eq!(
            idx.line_col(text, 99, ColumnUnit::Char),
            LineCol { line: 1, col: 2 }
        );
    }

    #[test]
    fn half_a_surrogate_pair_stays_before_the_char() {
        let text = "🚀x";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 1 }, ColumnUnit::Utf16),
            0
        );
        assert_eq!(
            idx.offset(text, LineCol { line: 0, col: 2 }, ColumnUnit::Utf16),
            4
        );
    }
}
