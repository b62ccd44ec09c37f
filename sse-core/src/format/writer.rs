//! [`DataWriter`]: the one way data reaches the output, as `data:` lines.

use bytes::Bytes;
use core::fmt;

use crate::lines::{LineSplitter, has_line_break};
use crate::output::Output;

/// The prefix of every data line, written by the encoder before the
/// first and by the writer after every line ending.
pub(crate) const DATA_PREFIX: &[u8] = b"data: ";

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
///
/// A data line is always open: the encoder writes the first `data: `
/// before the formatter's first write, every line ending is written
/// together with the next line's prefix, and the encoder ends the last
/// line. Empty data, and data that ends with a line break, end
/// with an empty `data: ` line, as they must (rule E4).
#[derive(Debug)]
pub struct DataWriter<'a> {
    out: Output<'a>,
    lines: LineSplitter,
}

impl<'a> DataWriter<'a> {
    /// A writer onto `out`, whose last bytes are the first `data: `
    /// prefix ([`DATA_PREFIX`]).
    #[inline]
    pub(crate) fn opened(out: Output<'a>) -> Self {
        Self {
            out,
            lines: LineSplitter::default(),
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
        if !self.lines.after_cr() && !has_line_break(bytes) {
            self.out.buf.extend_from_slice(bytes);
            return;
        }
        self.write_lines(bytes);
    }

    /// Writes bytes that hold a line break, or follow a CR.
    ///
    /// Each line ending is written at once with the next line's prefix,
    /// `\ndata: `: an ended line is always followed by another `data: `
    /// line, the next piece's or the empty one that data ending in a line
    /// break needs. One copy per line and one fixed-size write per ending.
    #[inline(never)]
    fn write_lines(&mut self, bytes: &[u8]) {
        let Self { out, lines } = self;
        let buf = &mut *out.buf;
        buf.reserve(bytes.len() + LF_DATA.len());
        lines.split(bytes, |piece, ended| {
            buf.extend_from_slice(piece);
            if ended {
                buf.extend_from_slice(LF_DATA);
            }
        });
    }

    /// Writes shared bytes. A large payload without line breaks is not
    /// copied when the output allows it: it travels as its own chunk.
    pub fn write_shared(&mut self, bytes: &Bytes) {
        if bytes.is_empty() || has_line_break(bytes) {
            self.write_bytes(bytes);
            return;
        }
        self.bypass_splitter();
        self.out.put_shared(bytes);
    }

    /// Lets `write` append to the buffer directly. `write` returns whether
    /// what it wrote may hold a raw line break; only then are the appended
    /// bytes searched, and split if they hold one. This is how serializers
    /// that make many tiny writes stay fast: most know that their output
    /// has no raw line break, and reading back bytes just written in small
    /// pieces stalls the CPU.
    #[cfg(all(feature = "json", feature = "std"))]
    pub(crate) fn write_direct<E>(
        &mut self,
        write: impl FnOnce(&mut bytes::BytesMut) -> Result<bool, E>,
    ) -> Result<(), E> {
        let lines = self.lines;
        self.bypass_splitter();
        let start = self.out.buf.len();
        let may_break = write(self.out.buf)?;
        if may_break && has_line_break(&self.out.buf[start..]) {
            // Rare: a raw line break (serde_json's `RawValue` can carry
            // one). Take the bytes back and write them through the
            // splitter.
            let written = Bytes::copy_from_slice(&self.out.buf[start..]);
            self.out.buf.truncate(start);
            self.lines = lines;
            self.write_bytes(&written);
        }
        Ok(())
    }

    /// Before bytes that bypass the splitter (which the caller has
    /// checked hold no line break): a CR just written already ended its
    /// line, and the bytes that follow are not an LF, so it stays a lone
    /// CR.
    #[inline]
    fn bypass_splitter(&mut self) {
        self.lines.clear_cr();
    }

    /// Gives the output back, the last data line without its LF: the
    /// encoder writes that LF together with the lines that follow, or
    /// rolls the event back after a failure.
    #[inline]
    pub(crate) fn into_output(self) -> Output<'a> {
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
