//! Where encoded bytes go: one growing buffer, plus, for the body stream, a
//! queue of finished chunks so that large payloads can travel without a
//! copy.

use alloc::collections::VecDeque;
use bytes::{Bytes, BytesMut};

/// Payloads at least this long, with no line break, are sent as their own
/// chunk instead of being copied into the coalesced buffer. Below it a copy
/// is cheaper than an extra frame for the HTTP writer.
pub(crate) const ZERO_COPY_MIN: usize = 4 * 1024;

/// The encoder's target for one event.
///
/// Everything written since the output was made belongs to the event being
/// written and can be taken back with [`Output::rollback`], including
/// chunks already moved to the queue: a failing event leaves nothing
/// behind.
#[derive(Debug)]
pub(crate) struct Output<'a> {
    pub(crate) buf: &'a mut BytesMut,
    queue: Option<&'a mut VecDeque<Bytes>>,
    /// Where the current event starts in `buf`.
    event_start: usize,
    /// How many queued chunks precede the current event.
    event_chunks: usize,
}

impl<'a> Output<'a> {
    /// An output that copies everything into `buf`.
    pub(crate) fn buffer(buf: &'a mut BytesMut) -> Self {
        let event_start = buf.len();
        Self {
            buf,
            queue: None,
            event_start,
            event_chunks: 0,
        }
    }

    /// An output that may queue large payloads as chunks of their own,
    /// after `buf`'s current bytes.
    pub(crate) fn queued(buf: &'a mut BytesMut, queue: &'a mut VecDeque<Bytes>) -> Self {
        let event_start = buf.len();
        let event_chunks = queue.len();
        Self {
            buf,
            queue: Some(queue),
            event_start,
            event_chunks,
        }
    }

    /// Takes back everything written since the output was made.
    pub(crate) fn rollback(mut self) {
        self.buf.truncate(self.event_start);
        if let Some(queue) = self.queue.as_deref_mut() {
            queue.truncate(self.event_chunks);
        }
    }

    /// Appends `payload` without copying it when the output has a queue
    /// and the payload is long enough to be worth a chunk of its own;
    /// otherwise copies it. The caller has checked that it has no line
    /// break.
    pub(crate) fn put_shared(&mut self, payload: &Bytes) {
        match self.queue.as_deref_mut() {
            Some(queue) if payload.len() >= ZERO_COPY_MIN => {
                // Complete events before this one go first, in a chunk of
                // their own, so that a rollback never has to cut a chunk.
                if self.event_start > 0 {
                    queue.push_back(self.buf.split_to(self.event_start).freeze());
                    self.event_start = 0;
                    self.event_chunks = queue.len();
                }
                if !self.buf.is_empty() {
                    queue.push_back(self.buf.split().freeze());
                }
                queue.push_back(payload.clone());
            }
            _ => self.buf.extend_from_slice(payload),
        }
    }
}
