//! Helpers shared by the fuzz targets of `sse-core`.

use std::borrow::Cow;

/// Splits `input` into chunks whose lengths are taken from `lens` in turn;
/// whatever is left after the last length is the final chunk. A length of
/// 0 gives an empty chunk, which a decoder must take in its stride.
pub fn chunks<'a>(input: &'a [u8], lens: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(lens.len() + 1);
    let mut rest = input;
    for &len in lens {
        let (head, tail) = rest.split_at(usize::from(len).min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out.push(rest);
    out
}

/// Replaces every CRLF and every lone CR by LF: what a decoder makes of the
/// line breaks inside data (rules D2, E2).
pub fn normalize_line_breaks(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                out.push(b'\n');
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The text a decoder reports for `bytes`: invalid UTF-8 as U+FFFD (rule
/// D1).
pub fn lossy(bytes: &[u8]) -> String {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(s) => s.to_owned(),
        Cow::Owned(s) => s,
    }
}

/// The lines of a text that a decoder sees, split at CRLF, lone CR and
/// lone LF; the piece after the last line break, complete or not, is
/// included.
pub fn split_lines(text: &str) -> Vec<String> {
    let normalized = normalize_line_breaks(text.as_bytes());
    lossy(&normalized).split('\n').map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(
            chunks(b"abcdef", &[2, 0, 9]),
            [&b"ab"[..], b"", b"cdef", b""]
        );
        assert_eq!(normalize_line_breaks(b"a\r\nb\rc\n\r"), b"a\nb\nc\n\n");
        assert_eq!(split_lines("a\r\n\rb"), ["a", "", "b"]);
        assert_eq!(split_lines(""), [""]);
    }
}
