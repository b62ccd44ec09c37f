//! [`DataWriter`]: the one way data reaches the output, as `data:` lines.

use bytes::{BufMut, Bytes};
use core::fmt;

use crate::lines::{LineSplitter, find_break, has_line_break};
use crate::output::Output;

const DATA: &[u8] = b"data: ";

/// The end of one data line and the start of the next.
const LF_DATA: &[u8] = b"\ndata: ";

/// Writes an item's data as `data:` lines (rules E2, E3, E4).
///
/// Everything written is data: each CR, LF or CRLF starts a new
/// `data: ` line, even when a CR ends one write and an LF starts the next.
/// Bytes are written as they are; data that is not UTF-8 reaches the client
/// as it is, and a browser shows each invalid sequence as U+FFFD (rule D1).
///
/// Formatters get one from the encoder; it implements [`core::fmt::Write`]
/// and, with the `std` feature, `std::io::Write`.
#[derive(Debug)]
pub struct DataWriter<'a> {
    out: Output<'a>,
    lines: LineSplitter,
    /// Whether a `data: ` prefix has been written for the current line.
    line_open: bool,
}

impl<'a> DataWriter<'a> {
    #[inline]
    pub(crate) fn new(out: Output<'a>) -> Self {
        Self {
            out,
            lines: LineSplitter::default(),
            line_open: false,
        }
    }

    /// Writes text.
    #[inline(always)]
    pub fn write_text(&mut self, text: &str) {
        self.write_bytes(text.as_bytes());
    }

    /// Writes bytes, copying them.
    #[inline(always)]
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        // The common case, one piece of a line: no splitter, one copy.
        if !self.lines.after_cr() && find_break(bytes).is_none() {
            if bytes.is_empty() {
                return;
            }
            let buf = &mut *self.out.buf;
            buf.reserve(bytes.len() + DATA.len() + 1);
            if !self.line_open {
                buf.extend_from_slice(DATA);
                self.line_open = true;
            }
            buf.extend_from_slice(bytes);
            return;
        }
        self.write_lines(bytes);
    }

    /// Writes bytes that hold a line break, or follow a CR.
    #[inline(never)]
    fn write_lines(&mut self, bytes: &[u8]) {
        let Self {
            out,
            lines,
            line_open,
        } = self;
        let buf = &mut *out.buf;
        buf.reserve(bytes.len() + DATA.len() + 1);
        // A line's LF goes out with the next line's `data: `, one write
        // for both, and alone only after the last line.
        let mut open = *line_open;
        let mut lf_due = false;
        lines.split(bytes, |piece, ended| {
            if lf_due {
                buf.extend_from_slice(LF_DATA);
            } else if !open {
                buf.extend_from_slice(DATA);
            }
            buf.extend_from_slice(piece);
            lf_due = ended;
            open = !ended;
        });
        if lf_due {
            buf.put_u8(b'\n');
        }
        *line_open = open;
    }

    /// Writes shared bytes. A large payload without line breaks is not
    /// copied when the output allows it: it travels as its own chunk.
    pub fn write_shared(&mut self, bytes: &Bytes) {
        if bytes.is_empty() || has_line_break(bytes) {
            self.write_bytes(bytes);
            return;
        }
        self.open_line();
        self.out.put_shared(bytes);
    }

    /// Lets `write` append to the buffer directly, then checks the appended
    /// bytes once for line breaks and splits them only if there are any.
    /// This is how serializers that make many tiny writes stay fast.
    #[cfg(all(feature = "json", feature = "std"))]
    pub(crate) fn write_direct<E>(
        &mut self,
        write: impl FnOnce(&mut bytes::BytesMut) -> Result<(), E>,
    ) -> Result<(), E> {
        let before = self.out.buf.len();
        let (was_open, lines) = (self.line_open, self.lines);
        self.open_line();
        let start = self.out.buf.len();
        write(self.out.buf)?;
        if has_line_break(&self.out.buf[start..]) {
            // Rare: a raw line break (serde_json's `RawValue` can carry
            // one). Take the bytes back and write them through the
            // splitter.
            let written = Bytes::copy_from_slice(&self.out.buf[start..]);
            self.out.buf.truncate(before);
            (self.line_open, self.lines) = (was_open, lines);
            self.write_bytes(&written);
        }
        Ok(())
    }

    /// Starts a `data: ` line if none is open, for bytes that bypass the
    /// splitter (which the caller has checked hold no line break).
    #[inline]
    fn open_line(&mut self) {
        // A CR just written already ended its line; the bytes that follow
        // are not an LF, so it stays a lone CR.
        self.lines.clear_cr();
        if !self.line_open {
            self.out.buf.extend_from_slice(DATA);
            self.line_open = true;
        }
    }

    /// Ends the data: closes the open line, or writes the empty `data: `
    /// line that empty data and data ending in a line break need (rules E2,
    /// E4).
    #[inline]
    pub(crate) fn finish(self) -> Output<'a> {
        if !self.line_open {
            self.out.buf.extend_from_slice(DATA);
        }
        self.out.buf.put_u8(b'\n');
        self.out
    }

    /// Gives the output back without finishing, after a failure.
    pub(crate) fn abandon(self) -> Output<'a> {
        self.out
    }
}

impl fmt::Write for DataWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_text(s);
        Ok(())
    }
}

#[cfg(feature = "std")]
impl std::io::Write for DataWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_bytes(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.write_bytes(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
