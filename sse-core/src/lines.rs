//! The one line splitter: CR, LF and CRLF, across separate writes or
//! chunks (rules D2, E2, E7).
//!
//! Data, comments and the decoder all split through [`LineSplitter`], so
//! the encoder and the decoder cannot disagree about where a line ends.

/// Splits bytes into lines at CRLF, lone LF and lone CR, remembering a CR
/// at the end of one input so that an LF at the start of the next is taken
/// as the second half of the same line ending.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LineSplitter {
    after_cr: bool,
}

impl LineSplitter {
    /// Splits `input`, calling `piece(bytes, ended)` for each piece in
    /// order: `ended` is true when a line ending follows the piece (the
    /// ending itself is not passed), false for the trailing piece that has
    /// none yet. Empty trailing pieces are not reported; empty lines are.
    pub(crate) fn split<'a>(&mut self, mut input: &'a [u8], mut piece: impl FnMut(&'a [u8], bool)) {
        if input.is_empty() {
            return;
        }
        if self.after_cr {
            self.after_cr = false;
            if input[0] == b'\n' {
                input = &input[1..];
            }
        }
        while let Some(at) = memchr::memchr2(b'\n', b'\r', input) {
            piece(&input[..at], true);
            let skip = if input[at] == b'\r' {
                match input.get(at + 1) {
                    Some(b'\n') => 2,
                    Some(_) => 1,
                    None => {
                        self.after_cr = true;
                        return;
                    }
                }
            } else {
                1
            };
            input = &input[at + skip..];
        }
        if !input.is_empty() {
            piece(input, false);
        }
    }

    /// Forgets a pending CR: the next byte starts a new line whatever it
    /// is.
    pub(crate) fn clear_cr(&mut self) {
        self.after_cr = false;
    }
}

/// Whether `bytes` contains a CR or an LF.
pub(crate) fn has_line_break(bytes: &[u8]) -> bool {
    memchr::memchr2(b'\n', b'\r', bytes).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn split_all(chunks: &[&[u8]]) -> Vec<(Vec<u8>, bool)> {
        let mut splitter = LineSplitter::default();
        let mut out = Vec::new();
        for chunk in chunks {
            splitter.split(chunk, |p, ended| out.push((p.to_vec(), ended)));
        }
        out
    }

    #[test]
    fn d2_every_line_ending() {
        let got = split_all(&[b"a\r\nb\nc\rd"]);
        assert_eq!(
            got,
            [
                (b"a".to_vec(), true),
                (b"b".to_vec(), true),
                (b"c".to_vec(), true),
                (b"d".to_vec(), false)
            ]
        );
    }

    #[test]
    fn d2_cr_at_chunk_end_and_lf_at_next_start_are_one_ending() {
        let got = split_all(&[b"a\r", b"\nb\r", b"", b"\n", b"\n"]);
        assert_eq!(
            got,
            [
                (b"a".to_vec(), true),
                (b"b".to_vec(), true),
                (b"".to_vec(), true)
            ]
        );
    }

    #[test]
    fn d2_lone_cr_then_text_in_next_chunk() {
        let got = split_all(&[b"a\r", b"b"]);
        assert_eq!(got, [(b"a".to_vec(), true), (b"b".to_vec(), false)]);
    }

    #[test]
    fn empty_lines_are_reported() {
        let got = split_all(&[b"\n\r\r\n"]);
        assert_eq!(
            got,
            [(Vec::new(), true), (Vec::new(), true), (Vec::new(), true)]
        );
    }
}
