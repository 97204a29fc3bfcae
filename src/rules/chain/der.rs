//! Codes: none. The two DER helpers the chain analysis needs (webpki's trust anchors keep a Name's
//! and an SPKI's contents without their SEQUENCE header; certificates keep the whole TLV).

/// The contents of a DER TLV (tag and length stripped), `None` if it is malformed.
pub(super) fn der_value(tlv: &[u8]) -> Option<&[u8]> {
    let (&first, rest) = tlv.get(1..)?.split_first()?;
    if first < 0x80 {
        return rest.get(..usize::from(first));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > 4 {
        return None;
    }
    let (len_bytes, rest) = rest.split_at_checked(count)?;
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    rest.get(..len)
}

/// `value` wrapped in a DER SEQUENCE header.
pub(super) fn der_sequence(value: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = value.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap_or(0));
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_helpers_round_trip_and_refuse_garbage() {
        for len in [0usize, 5, 127, 128, 300, 70_000] {
            let value = vec![7u8; len];
            assert_eq!(der_value(&der_sequence(&value)), Some(value.as_slice()));
        }
        assert_eq!(der_value(&[]), None);
        assert_eq!(der_value(&[0x30]), None);
        assert_eq!(der_value(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(der_value(&[0x30, 0x05, 1]), None);
    }
}
