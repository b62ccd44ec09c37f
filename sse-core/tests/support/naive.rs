//! A deliberately naive event-stream decoder, written line by line from the
//! standard's "Interpreting an event stream" section, with no concern for
//! speed: the oracle the real decoder is compared with.
//!
//! It takes the whole stream at once, so chunking cannot affect it. Shared
//! by the tests of `sse-core` and by the fuzz targets (through `#[path]`).

#![allow(dead_code, unreachable_pub)]
// The structure follows the standard's text, step by step, not clippy's taste.
#![allow(clippy::collapsible_match, clippy::collapsible_if)]

/// What the standard's algorithm delivers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// A dispatched event.
    Event {
        event_type: String,
        data: String,
        last_event_id: String,
    },
    /// The reconnection time was set, in milliseconds.
    Retry(u64),
}

/// Decodes a complete stream.
pub fn decode(input: &[u8]) -> Vec<Output> {
    // "Streams must be decoded using the UTF-8 decode algorithm": invalid
    // sequences become U+FFFD, and a leading BOM is stripped.
    let text = String::from_utf8_lossy(input);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);

    let mut out = Vec::new();
    let mut data = String::new();
    let mut event_type = String::new();
    let mut last_event_id = String::new();

    // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A
    // LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF)
    // character, or a single U+000D CARRIAGE RETURN (CR) character."
    let chars: Vec<char> = text.chars().collect();
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\r' => {
                lines.push(std::mem::take(&mut current));
                if chars.get(i + 1) == Some(&'\n') {
                    i += 1;
                }
            }
            '\n' => lines.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
        i += 1;
    }
    // Whatever follows the last line ending is an incomplete line: "once
    // the end of the file is reached, any pending data must be discarded".

    for line in lines {
        if line.is_empty() {
            // "If the line is empty (a blank line): Dispatch the event."
            // "Set the last event ID string of the event source to the
            // value of the last event ID buffer."
            if data.is_empty() {
                // "If the data buffer is an empty string, set the data
                // buffer and the event type buffer to the empty string and
                // return."
                event_type.clear();
                continue;
            }
            // "If the data buffer's last character is a U+000A LINE FEED
            // (LF) character, then remove the last character from the data
            // buffer."
            if data.ends_with('\n') {
                data.pop();
            }
            out.push(Output::Event {
                event_type: if event_type.is_empty() {
                    "message".to_string()
                } else {
                    event_type.clone()
                },
                data: std::mem::take(&mut data),
                last_event_id: last_event_id.clone(),
            });
            event_type.clear();
        } else if line.starts_with(':') {
            // "If the line starts with a U+003A COLON character (:):
            // Ignore the line."
        } else if let Some(colon) = line.find(':') {
            // "Collect the characters on the line before the first U+003A
            // COLON character (:), and let field be that string. Collect
            // the characters on the line after the first U+003A COLON
            // character (:), and let value be that string. If value starts
            // with a U+0020 SPACE character, remove it from value."
            let field = &line[..colon];
            let mut value = &line[colon + 1..];
            if let Some(rest) = value.strip_prefix(' ') {
                value = rest;
            }
            process(
                field,
                value,
                &mut data,
                &mut event_type,
                &mut last_event_id,
                &mut out,
            );
        } else {
            // "Otherwise, the string is not empty but does not contain a
            // U+003A COLON character (:): Process the field using the whole
            // line as the field name, and the empty string as the field
            // value."
            process(
                &line,
                "",
                &mut data,
                &mut event_type,
                &mut last_event_id,
                &mut out,
            );
        }
    }
    out
}

fn process(
    field: &str,
    value: &str,
    data: &mut String,
    event_type: &mut String,
    last_event_id: &mut String,
    out: &mut Vec<Output>,
) {
    match field {
        // "Set the event type buffer to field value."
        "event" => *event_type = value.to_string(),
        // "Append the field value to the data buffer, then append a single
        // U+000A LINE FEED (LF) character to the data buffer."
        "data" => {
            data.push_str(value);
            data.push('\n');
        }
        // "If the field value does not contain U+0000 NULL, then set the
        // last event ID buffer to the field value. Otherwise, ignore the
        // field."
        "id" => {
            if !value.contains('\0') {
                *last_event_id = value.to_string();
            }
        }
        // "If the field value consists of only ASCII digits, then interpret
        // the field value as an integer in base ten, and set the event
        // stream's reconnection time to that integer. Otherwise, ignore the
        // field." (An empty value, or one too large for a u64, is ignored.)
        "retry" => {
            if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) {
                if let Ok(ms) = value.parse::<u64>() {
                    out.push(Output::Retry(ms));
                }
            }
        }
        // "Otherwise: The field is ignored."
        _ => {}
    }
}
