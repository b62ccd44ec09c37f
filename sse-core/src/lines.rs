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
    #[inline]
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
        if input.len() >= BLOCK {
            self.split_blocks(input, piece);
            return;
        }
        while let Some(at) = find_break(input) {
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

    /// [`split`](Self::split) for inputs of a block or more: each block's
    /// line endings are found at once, as a bit mask, and taken one by one
    /// (a long value's lines are often short, and a search per line would
    /// start over for each). The last, partial block is searched as a
    /// block padded with zeros, which are never line endings.
    #[inline]
    fn split_blocks<'a>(&mut self, input: &'a [u8], mut piece: impl FnMut(&'a [u8], bool)) {
        // Where the current line starts: after the last line ending taken.
        let mut start = 0;
        let mut base = 0;
        let mut padded = [0; BLOCK];
        while base < input.len() {
            let mut mask = match input.get(base..base + BLOCK) {
                Some(block) => break_mask(block),
                None => {
                    let rest = &input[base..];
                    padded[..rest.len()].copy_from_slice(rest);
                    break_mask(&padded)
                }
            };
            while mask != 0 {
                let at = base + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                // The LF of a CRLF taken with its CR.
                if at < start {
                    continue;
                }
                piece(&input[start..at], true);
                start = at + 1;
                if input[at] == b'\r' {
                    match input.get(start) {
                        Some(b'\n') => start += 1,
                        Some(_) => {}
                        None => self.after_cr = true,
                    }
                }
            }
            base += BLOCK;
        }
        if start < input.len() {
            piece(&input[start..], false);
        }
    }

    /// Whether the last input ended with a CR, so that an LF at the start
    /// of the next one belongs to the same line ending.
    #[inline]
    pub(crate) const fn after_cr(&self) -> bool {
        self.after_cr
    }

    /// Forgets a pending CR: the next byte starts a new line whatever it
    /// is.
    pub(crate) fn clear_cr(&mut self) {
        self.after_cr = false;
    }
}

/// Whether `bytes` contains a CR or an LF.
///
/// From 16 to 128 bytes, two blocks cover the input, the second one
/// overlapping the first, and are checked together: one test and no
/// loop, for the length of most values.
#[inline(always)]
pub(crate) fn has_line_break(bytes: &[u8]) -> bool {
    // One comparison for values under 16 or over 128 bytes, two for 65
    // to 128.
    let len = bytes.len();
    if !(16..=128).contains(&len) {
        find_break(bytes).is_some()
    } else if len > 64 {
        either_has_break::<64>(bytes)
    } else if len > 32 {
        either_has_break::<32>(bytes)
    } else {
        either_has_break::<16>(bytes)
    }
}

/// Whether the first or the last `N` bytes (`N <= bytes.len()`) hold a
/// line break: branch-free, so that the two compile to vector
/// comparisons and one test.
#[inline(always)]
fn either_has_break<const N: usize>(bytes: &[u8]) -> bool {
    let (Some(first), Some(last)) = (bytes.get(..N), bytes.get(bytes.len().saturating_sub(N)..))
    else {
        return find_break(bytes).is_some();
    };
    block_has_break::<N>(first) | block_has_break::<N>(last)
}

/// Inputs shorter than this are searched inline, in vectorised blocks:
/// `memchr2`'s call, runtime dispatch and setup cost more than the whole
/// search of a short value, and most values are short. Longer inputs go to
/// `memchr2`, whose wider vectors win there.
const INLINE_SEARCH: usize = 256;

/// The position of the first CR or LF in `bytes`.
#[inline(always)]
pub(crate) fn find_break(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 16 {
        return bytes.iter().position(|&b| is_break(b));
    }
    if bytes.len() >= INLINE_SEARCH {
        return memchr::memchr2(b'\n', b'\r', bytes);
    }
    if bytes.len() >= 64 {
        search_blocks::<64>(bytes)
    } else {
        search_blocks::<16>(bytes)
    }
}

/// The block [`LineSplitter::split`] takes whole, in bytes.
const BLOCK: usize = 64;

/// The line endings of a block of [`BLOCK`] bytes (shorter input reads as
/// no endings): bit `i` is set when byte `i` is a CR or an LF.
#[inline(always)]
fn break_mask(block: &[u8]) -> u64 {
    let Ok(block) = <&[u8; BLOCK]>::try_from(block) else {
        return 0;
    };
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return sse2::break_mask(block);
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    return portable_break_mask(block);
}

/// [`break_mask`] a byte at a time, for targets without the vector one
/// (and to check it against).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn portable_break_mask(block: &[u8; BLOCK]) -> u64 {
    let mut mask = 0;
    for (i, &b) in block.iter().enumerate() {
        mask |= u64::from(is_break(b)) << i;
    }
    mask
}

/// SSE2, which every x86-64 CPU has: four 16-byte comparisons and their
/// byte masks, through `safe_arch`'s safe wrappers of the intrinsics.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };

    use super::BLOCK;

    #[inline(always)]
    pub(super) fn break_mask(block: &[u8; BLOCK]) -> u64 {
        // The casts reinterpret the byte values, as the intrinsics do.
        #[allow(clippy::cast_possible_wrap)]
        let (lf, cr) = (
            set_splat_i8_m128i(b'\n' as i8),
            set_splat_i8_m128i(b'\r' as i8),
        );
        let mut mask = 0;
        for (i, quarter) in block.chunks_exact(16).enumerate() {
            let Ok(quarter) = <&[u8; 16]>::try_from(quarter) else {
                continue;
            };
            let v = load_unaligned_m128i(quarter);
            let hits = bitor_m128i(cmp_eq_mask_i8_m128i(v, lf), cmp_eq_mask_i8_m128i(v, cr));
            // `move_mask` sets only the low 16 bits.
            #[allow(clippy::cast_sign_loss)]
            let bits = move_mask_i8_m128i(hits) as u32;
            mask |= u64::from(bits) << (16 * i);
        }
        mask
    }
}

/// Searches `bytes` in blocks of `N`, the last one overlapping those before
/// it so that no byte is left to a slower loop. `bytes` shorter than a
/// block are not searched.
#[inline(always)]
fn search_blocks<const N: usize>(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < N {
        return None;
    }
    let mut at = 0;
    while bytes.len() - at > N {
        if block_has_break::<N>(&bytes[at..at + N]) {
            return Some(at + first_break(&bytes[at..at + N]));
        }
        at += N;
    }
    // The last block, overlapping: its bytes before `at` hold no break.
    let from = bytes.len() - N;
    if block_has_break::<N>(&bytes[from..]) {
        return Some(from + first_break(&bytes[from..]));
    }
    None
}

/// Whether a block of `N` bytes holds a CR or an LF: branch-free, so that
/// it compiles to a few vector comparisons.
#[inline(always)]
fn block_has_break<const N: usize>(block: &[u8]) -> bool {
    let Ok(block) = <&[u8; N]>::try_from(block) else {
        return true;
    };
    let mut hits = 0_u8;
    for &b in block {
        hits |= u8::from(b == b'\n') | u8::from(b == b'\r');
    }
    hits != 0
}

/// Where the first line break of a block that has one is, eight bytes at
/// a time. Out of line, so that the compiler keeps the test above a plain
/// vector comparison.
#[inline(never)]
fn first_break(block: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const LF: u64 = u64::from_ne_bytes([b'\n'; 8]);
    const CR: u64 = u64::from_ne_bytes([b'\r'; 8]);
    // The high bit of each zero byte of `v`, and possibly of bytes above
    // one: the lowest set bit is always exact.
    let zeros = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let mut words = block.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        let v = u64::from_le_bytes(bytes);
        let hits = zeros(v ^ LF) | zeros(v ^ CR);
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + words
        .remainder()
        .iter()
        .position(|&b| is_break(b))
        .unwrap_or(words.remainder().len())
}

#[inline]
const fn is_break(b: u8) -> bool {
    (b == b'\n') | (b == b'\r')
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
    fn long_inputs_split_like_a_plain_splitter() {
        // Long inputs take the searcher made once per input (AVX2 when the
        // CPU has it): every ending, short, long and empty lines (a break
        // right at the start of what is left), CR at the end.
        let plain = |input: &[u8]| {
            let mut out = Vec::new();
            let mut start = 0;
            let mut i = 0;
            while i < input.len() {
                match input[i] {
                    b'\r' if input.get(i + 1) == Some(&b'\n') => {
                        out.push((input[start..i].to_vec(), true));
                        i += 2;
                        start = i;
                    }
                    b'\r' | b'\n' => {
                        out.push((input[start..i].to_vec(), true));
                        i += 1;
                        start = i;
                    }
                    _ => i += 1,
                }
            }
            if start < input.len() {
                out.push((input[start..].to_vec(), false));
            }
            out
        };
        for line in [0, 1, 15, 63, 64, 79, 80, 255, 256, 257, 700] {
            for ending in [&b"\n"[..], b"\r", b"\r\n"] {
                let mut input = Vec::new();
                for n in 0..12 {
                    input.extend(core::iter::repeat_n(b'a' + n, line + usize::from(n)));
                    input.extend_from_slice(ending);
                    if n % 3 == 0 {
                        input.extend_from_slice(ending);
                    }
                }
                input.extend_from_slice(b"tail");
                assert_eq!(split_all(&[&input]), plain(&input), "line {line}");
            }
        }
    }

    /// The lines of `input` by the plain definition: CRLF, lone LF and
    /// lone CR end one, the rest is the unfinished last line.
    fn plain_lines(input: &[u8]) -> (Vec<Vec<u8>>, Vec<u8>) {
        let mut lines = Vec::new();
        let mut line = Vec::new();
        let mut i = 0;
        while i < input.len() {
            match input[i] {
                b'\r' | b'\n' => {
                    lines.push(core::mem::take(&mut line));
                    if input[i] == b'\r' && input.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                }
                b => line.push(b),
            }
            i += 1;
        }
        (lines, line)
    }

    /// The lines the splitter gives for `chunks`, its pieces joined.
    fn split_lines(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Vec<u8>) {
        let mut splitter = LineSplitter::default();
        let mut lines = Vec::new();
        let mut line = Vec::new();
        for chunk in chunks {
            splitter.split(chunk, |piece, ended| {
                line.extend_from_slice(piece);
                if ended {
                    lines.push(core::mem::take(&mut line));
                }
            });
        }
        (lines, line)
    }

    #[test]
    fn d2_block_edges_and_every_split_point() {
        // Inputs around the block size, with endings on and across the
        // edges of blocks (a CRLF whose LF starts the next block, a CR
        // that ends the input), split at every point into two chunks.
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for len in [63, 64, 65, 127, 128, 129, 200] {
            for at in [0, 1, 62, 63, 64, 65, 126, 127, 128] {
                for ending in [&b"\n"[..], b"\r", b"\r\n", b"\n\r", b"\r\r\n"] {
                    let mut input = alloc::vec![b'x'; len];
                    if at < len {
                        input.splice(at..(at + ending.len()).min(len), ending.iter().copied());
                    }
                    input.truncate(len);
                    inputs.push(input);
                }
            }
            let mut ends_with_cr = alloc::vec![b'y'; len];
            ends_with_cr[len - 1] = b'\r';
            inputs.push(ends_with_cr);
        }
        for input in &inputs {
            assert_eq!(split_lines(&[input]), plain_lines(input), "{input:?}");
            for cut in 0..=input.len() {
                let (a, b) = input.split_at(cut);
                assert_eq!(split_lines(&[a, b]), plain_lines(input), "cut {cut}");
            }
        }
        // A CR at the end of a whole block, then an LF in the next input:
        // one line ending, not two.
        let mut first = alloc::vec![b'z'; 64];
        first[63] = b'\r';
        let got = split_all(&[&first, b"\nnext"]);
        assert_eq!(
            got,
            [(first[..63].to_vec(), true), (b"next".to_vec(), false)]
        );
    }

    #[test]
    fn break_mask_marks_every_cr_and_lf_and_nothing_else() {
        // Every byte value at every position, against the portable mask.
        for position in 0..BLOCK {
            for byte in 0..=u8::MAX {
                let mut block = [b'a'; BLOCK];
                block[position] = byte;
                block[(position + 17) % BLOCK] = b'\r';
                let expected = portable_break_mask(&block);
                assert_eq!(break_mask(&block), expected, "byte {byte} at {position}");
                let own = u64::from(is_break(byte)) << position;
                assert_eq!(expected & (1 << position), own, "byte {byte} at {position}");
                assert_ne!(expected & (1 << ((position + 17) % BLOCK)), 0);
            }
        }
        assert_eq!(
            break_mask(&[b'\n'; BLOCK - 1]),
            0,
            "short input reads as none"
        );
    }

    #[test]
    fn find_break_agrees_with_a_plain_search() {
        for len in [
            0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 300, 1000,
        ] {
            for at in (0..len)
                .step_by(1 + len / 40)
                .chain([len.saturating_sub(1)])
            {
                for byte in [b'\n', b'\r'] {
                    let mut hay = alloc::vec![b'x'; len];
                    if len > 0 {
                        hay[at] = byte;
                    }
                    let expected = hay.iter().position(|&b| b == b'\n' || b == b'\r');
                    assert_eq!(find_break(&hay), expected, "len {len} at {at}");
                    assert_eq!(
                        has_line_break(&hay),
                        expected.is_some(),
                        "len {len} at {at}"
                    );
                    // A second break later never changes the answer.
                    if len > at + 1 {
                        hay[len - 1] = b'\r';
                        assert_eq!(find_break(&hay), expected, "len {len} at {at}");
                    }
                }
            }
            assert_eq!(find_break(&alloc::vec![b'y'; len]), None);
            assert!(!has_line_break(&alloc::vec![b'y'; len]));
        }
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
