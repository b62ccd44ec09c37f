//! The last event id as of the last dispatch, which is what a reconnecting
//! client sends (rule D11), not the id of a block the connection cut short.
//!
//! The decoder takes an `id:` line into its last event id buffer when it
//! reads the line (rule D6), before the empty line that dispatches the
//! block (rule D8). A connection cut between the two drops the block
//! (rule D9), so the buffer then holds the id of an event the client never
//! got: sending it as `Last-Event-ID` would skip that event. The standard
//! sends the event source's last event id instead, which only a dispatch
//! sets. [`Dispatches`] finds the empty lines in the bytes, so that the
//! client can feed the decoder up to each one and read the id there.

/// Finds the empty lines (the dispatches) in a byte stream cut anywhere:
/// CR LF, lone LF and lone CR end a line, a CR LF across two chunks
/// counts once (rule D2).
///
/// It errs only where that cannot matter: a byte order mark before an
/// empty line at the very start of a stream hides that dispatch, which
/// follows no `id:` line.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dispatches {
    /// No byte of the current line has been read.
    at_line_start: bool,
    /// The last byte was a CR: an LF now is the rest of its line ending.
    after_cr: bool,
}

impl Dispatches {
    /// At the start of a stream.
    pub(super) const fn new() -> Self {
        Self {
            at_line_start: true,
            after_cr: false,
        }
    }

    /// The length of the shortest prefix of `chunk` that ends with an
    /// empty line's ending, if there is one; the bytes before it are taken
    /// as read.
    pub(super) fn next_end(&mut self, chunk: &[u8]) -> Option<usize> {
        for (i, &byte) in chunk.iter().enumerate() {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    if self.at_line_start {
                        return Some(i + 1);
                    }
                    self.at_line_start = true;
                }
                _ => {
                    self.at_line_start = false;
                    self.after_cr = false;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Dispatches;
    use sse_core::decode::{Decoded, Decoder};

    /// Where the decoder dispatches, fed one byte at a time: after each
    /// byte whose feeding dispatched a block (or left the id buffer where
    /// a dispatch would).
    fn decoder_ends(input: &[u8]) -> Vec<usize> {
        let mut decoder = Decoder::new();
        let mut ends = Vec::new();
        for (i, byte) in input.iter().enumerate() {
            decoder.feed(core::slice::from_ref(byte));
            while let Some(next) = decoder.next() {
                if matches!(next, Ok(Decoded::Event(_))) {
                    ends.push(i + 1);
                }
            }
        }
        ends
    }

    fn tracker_ends(input: &[u8], split: usize) -> Vec<usize> {
        let mut dispatches = Dispatches::new();
        let mut ends = Vec::new();
        for (offset, chunk) in [(0, &input[..split]), (split, &input[split..])] {
            let mut at = 0;
            while let Some(end) = dispatches.next_end(&chunk[at..]) {
                at += end;
                ends.push(offset + at);
            }
        }
        ends
    }

    /// The standard's reading, on the whole input: after the first byte
    /// of the ending of each empty line (a CR LF's CR already ends it).
    fn literal_ends(input: &[u8]) -> Vec<usize> {
        let mut ends = Vec::new();
        let (mut i, mut line_start) = (0, 0);
        while i < input.len() {
            if input[i] == b'\r' || input[i] == b'\n' {
                if i == line_start {
                    ends.push(i + 1);
                }
                let crlf = input[i] == b'\r' && input.get(i + 1) == Some(&b'\n');
                i += if crlf { 2 } else { 1 };
                line_start = i;
            } else {
                i += 1;
            }
        }
        ends
    }

    #[test]
    fn d2_d3_finds_the_empty_lines_the_decoder_dispatches_on_in_every_split() {
        let inputs: [&[u8]; 7] = [
            b"data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n\r\n",
            b"data: a\r\n\n\r\ndata: b\r\n\r\r\n",
            b"data:\n\nid: 1\ndata: x\n\n",
            b": comment\ndata: a\n\n",
            b"data: \xC3\xA9\r\n\r\n",
            b"data: a\r\ndata: b\r\r",
            b"\n\r\r\n\rdata: a\n\n",
        ];
        for input in inputs {
            let literal = literal_ends(input);
            // Every block the decoder delivers ends at one of them.
            for end in decoder_ends(input) {
                assert!(
                    literal.contains(&end),
                    "{input:?}: {end} not in {literal:?}"
                );
            }
            for split in 0..=input.len() {
                assert_eq!(
                    tracker_ends(input, split),
                    literal,
                    "{input:?} split at {split}"
                );
            }
        }
    }

    #[test]
    fn a_crlf_is_one_ending_across_chunks() {
        let mut dispatches = Dispatches::new();
        assert_eq!(dispatches.next_end(b"data: a\r"), None);
        // The LF is the rest of the CR's ending, not an empty line.
        assert_eq!(dispatches.next_end(b"\n"), None);
        assert_eq!(dispatches.next_end(b"\r"), Some(1));
        assert_eq!(dispatches.next_end(b"\ndata"), None);
    }
}
