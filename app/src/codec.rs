//! Bytes as people read them (text, JSON, hex dump, base64), chosen by
//! content and never lossy; shared by znode data and Kafka/RabbitMQ messages.

/// How bytes are best shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataView {
    Text,
    Json,
    Hex,
    Base64,
}

impl DataView {
    pub const ALL: [DataView; 4] = [
        DataView::Text,
        DataView::Json,
        DataView::Hex,
        DataView::Base64,
    ];
    pub fn label(self) -> &'static str {
        match self {
            DataView::Text => "Text",
            DataView::Json => "JSON",
            DataView::Hex => "Hex",
            DataView::Base64 => "Base64",
        }
    }
}

/// Base64-carried bytes rendered in `view`, or in the view chosen for them;
/// a view that would change the bytes says why instead.
pub fn render_b64(b64: &str, view: Option<DataView>) -> String {
    let bytes = decode_b64(b64);
    render_data(&bytes, view.unwrap_or_else(|| detect_view(&bytes))).unwrap_or_else(|e| e)
}

/// Text is UTF-8 without control characters other than tab and line breaks.
pub fn is_text(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(s) => !s
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
        Err(_) => false,
    }
}

/// JSON object or array (a bare number or string is shown as text).
pub fn as_json(bytes: &[u8]) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    (v.is_object() || v.is_array()).then_some(v)
}

/// The view chosen automatically: JSON, else text, else hex.
pub fn detect_view(bytes: &[u8]) -> DataView {
    if as_json(bytes).is_some() {
        DataView::Json
    } else if is_text(bytes) {
        DataView::Text
    } else {
        DataView::Hex
    }
}

/// Renders bytes in a view. Views that do not fit the data say why instead.
pub fn render_data(bytes: &[u8], view: DataView) -> Result<String, String> {
    match view {
        DataView::Text => {
            if is_text(bytes) {
                Ok(String::from_utf8_lossy(bytes).into_owned())
            } else {
                Err("The data is not UTF-8 text; showing it as text would change it. Use Hex or Base64.".into())
            }
        }
        DataView::Json => match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(v) => Ok(serde_json::to_string_pretty(&v).unwrap_or_default()),
            Err(e) => Err(format!("Not valid JSON: {e}")),
        },
        DataView::Hex => Ok(hexdump(bytes)),
        DataView::Base64 => Ok(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            bytes,
        )),
    }
}

/// Classic 16-bytes-a-line dump: offset, hex, printable ASCII.
pub fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:08x}  {:<47}  {}\n",
            i * 16,
            hex.join(" "),
            ascii
        ));
    }
    out
}

pub fn decode_b64(s: &str) -> Vec<u8> {
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s).unwrap_or_default()
}

/// Base64 the user typed, or why not in words (not the decoder's enum).
pub fn parse_user_b64(input: &str) -> Result<Vec<u8>, String> {
    use base64::DecodeError as E;
    let alphabet = "A–Z, a–z, 0–9, + and /, padded with =";
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, input).map_err(|e| match e {
        E::InvalidByte(at, b) => format!(
            "is not valid base64: {} at position {} is not a base64 character ({alphabet})",
            describe_byte(b),
            at + 1
        ),
        E::InvalidLength(n) => format!(
            "is not valid base64: {n} characters; base64 comes in groups of 4 ({alphabet})"
        ),
        E::InvalidLastSymbol(at, b) => format!(
            "is not valid base64: the last character {} (position {}) leaves stray bits; it was probably cut short",
            describe_byte(b),
            at + 1
        ),
        E::InvalidPadding => {
            format!("is not valid base64: the = padding at the end is wrong ({alphabet})")
        }
    })
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("\"{}\"", b as char)
    } else {
        format!("byte 0x{b:02X}")
    }
}

pub fn encode_b64(b: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_base64_errors_are_sentences() {
        assert_eq!(parse_user_b64("AP8KQQ==").unwrap(), vec![0, 255, 10, 65]);
        let e = parse_user_b64("!!").unwrap_err();
        assert!(
            e.contains("\"!\" at position 1 is not a base64 character"),
            "{e}"
        );
        let e = parse_user_b64("AP8").unwrap_err();
        assert!(e.starts_with("is not valid base64"), "{e}");
        assert!(!e.contains("Invalid"), "{e}");
    }

    #[test]
    fn data_views_are_chosen_by_content() {
        assert_eq!(detect_view(br#"{"a":1}"#), DataView::Json);
        assert_eq!(detect_view(b"hello\nworld"), DataView::Text);
        assert_eq!(detect_view(b"42"), DataView::Text);
        assert_eq!(detect_view(&[0, 159, 146, 150]), DataView::Hex);
        assert_eq!(detect_view(b""), DataView::Text);
    }

    #[test]
    fn rendering_never_corrupts_binary() {
        let bin = [0u8, 255, 10, 65];
        assert!(render_data(&bin, DataView::Text).is_err());
        assert_eq!(render_data(&bin, DataView::Base64).unwrap(), "AP8KQQ==");
        assert_eq!(
            render_data(&bin, DataView::Hex).unwrap(),
            format!("00000000  {:<47}  ...A\n", "00 ff 0a 41")
        );
        assert_eq!(
            render_data(br#"{"a":[1,2]}"#, DataView::Json).unwrap(),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}"
        );
        // The stored order, not the alphabet's (serde_json's preserve_order).
        assert_eq!(
            render_data(br#"{"zone":1,"app":2}"#, DataView::Json).unwrap(),
            "{\n  \"zone\": 1,\n  \"app\": 2\n}"
        );
        assert!(
            render_data(b"{oops", DataView::Json)
                .unwrap_err()
                .starts_with("Not valid JSON")
        );
    }
}
