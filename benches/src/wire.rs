//! The client side of the HTTP benches: an HTTP/1.1 response reader that
//! takes the head, undoes the chunked transfer coding, and counts the
//! events (`\n\n`) and bytes of the body, chunk boundaries anywhere.

/// Where a response reader is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Reading the status line and headers.
    Head,
    /// Reading a chunk-size line (after `\r\n` of the previous chunk).
    Size,
    /// Inside a chunk, with this many bytes left.
    Data(usize),
    /// Reading the `\r\n` after a chunk's data.
    DataEnd,
    /// The last chunk was read.
    Done,
}

/// Counts the events of one chunked `text/event-stream` response.
#[derive(Debug)]
pub struct ResponseCounter {
    state: State,
    /// A head or size line not complete yet.
    line: Vec<u8>,
    head_done: bool,
    last_was_lf: bool,
    /// Events seen: each `\n\n` in the body.
    pub events: u64,
    /// Body bytes seen.
    pub body_bytes: u64,
}

impl Default for ResponseCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseCounter {
    /// A reader at the start of a response.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: State::Head,
            line: Vec::new(),
            head_done: false,
            last_was_lf: false,
            events: 0,
            body_bytes: 0,
        }
    }

    /// Whether the response head has been read.
    #[must_use]
    pub const fn has_head(&self) -> bool {
        self.head_done
    }

    /// Whether the body has ended.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Reads bytes from the socket.
    ///
    /// # Panics
    ///
    /// On a response that is not `200` with chunked transfer coding.
    pub fn feed(&mut self, mut input: &[u8]) {
        while !input.is_empty() {
            match self.state {
                State::Head => {
                    let end = memchr::memmem::find(input, b"\r\n\r\n");
                    // The terminator may straddle two reads.
                    let take = end.map_or(input.len(), |at| at + 4);
                    self.line.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    if let Some(at) = memchr::memmem::find(&self.line, b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&self.line[..at]).to_ascii_lowercase();
                        assert!(head.starts_with("http/1.1 200"), "status: {head}");
                        assert!(head.contains("transfer-encoding: chunked"), "head: {head}");
                        // Bytes past the head were given back above only
                        // when the terminator was found in `input`.
                        let extra = self.line.split_off(at + 4);
                        self.line.clear();
                        self.head_done = true;
                        self.state = State::Size;
                        if !extra.is_empty() {
                            self.feed(&extra);
                        }
                    }
                }
                State::Size => match memchr::memchr(b'\n', input) {
                    Some(at) => {
                        self.line.extend_from_slice(&input[..at]);
                        input = &input[at + 1..];
                        let line = core::mem::take(&mut self.line);
                        let hex = line.strip_suffix(b"\r").unwrap_or(&line);
                        let hex = hex.split(|&b| b == b';').next().unwrap_or_default();
                        let size = usize::from_str_radix(
                            core::str::from_utf8(hex).expect("chunk size").trim(),
                            16,
                        )
                        .expect("chunk size");
                        self.state = if size == 0 {
                            State::Done
                        } else {
                            State::Data(size)
                        };
                    }
                    None => {
                        self.line.extend_from_slice(input);
                        input = &[];
                    }
                },
                State::Data(left) => {
                    let n = left.min(input.len());
                    self.body(&input[..n]);
                    input = &input[n..];
                    self.state = if n == left {
                        State::DataEnd
                    } else {
                        State::Data(left - n)
                    };
                }
                State::DataEnd => {
                    // `\r\n`, possibly split: skip up to and with the LF.
                    match memchr::memchr(b'\n', input) {
                        Some(at) => {
                            input = &input[at + 1..];
                            self.state = State::Size;
                        }
                        None => input = &[],
                    }
                }
                State::Done => return,
            }
        }
    }

    fn body(&mut self, bytes: &[u8]) {
        self.body_bytes += bytes.len() as u64;
        for at in memchr::memchr_iter(b'\n', bytes) {
            let before = if at == 0 {
                self.last_was_lf
            } else {
                bytes[at - 1] == b'\n'
            };
            if before {
                self.events += 1;
            }
        }
        if let Some(&last) = bytes.last() {
            self.last_was_lf = last == b'\n';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
        transfer-encoding: chunked\r\n\r\n\
        b\r\ndata: a\n\nda\r\n\
        5\r\nta: b\r\n\
        2\r\n\n\n\r\n\
        0\r\n\r\n";

    #[test]
    fn counts_events_across_every_split() {
        for split in 0..RESPONSE.len() {
            for size in [1, 2, 3, 7, usize::MAX] {
                let mut counter = ResponseCounter::new();
                counter.feed(&RESPONSE[..split]);
                for piece in RESPONSE[split..].chunks(size.min(RESPONSE.len())) {
                    counter.feed(piece);
                }
                assert!(counter.is_done(), "split {split} size {size}");
                assert_eq!(counter.events, 2, "split {split} size {size}");
                assert_eq!(counter.body_bytes, 18, "split {split} size {size}");
            }
        }
    }
}
