//! A template as written: every scalar, mapping and sequence with its 1-based line and column, and
//! short-form intrinsics (`!Ref X`) already turned into their long form (`{"Ref": "X"}`), so that the
//! resolver reads one shape whatever the template's syntax.

use crate::gate::Position;

/// One node of the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// Where it starts: the first character of its tag, quote, bracket or text.
    pub(crate) at: Position,
    /// What it holds.
    pub(crate) kind: NodeKind,
    /// How much it holds, counted once at parse time to bound alias expansion.
    pub(crate) extent: Extent,
}

/// The content of a [`Node`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A scalar; `plain` is false when quoted or tagged `!!str`, so `"null"` stays a string.
    Scalar {
        /// The text, escapes resolved.
        text: String,
        /// Written without quotes.
        plain: bool,
    },
    /// A sequence, in order.
    Sequence(Vec<Node>),
    /// A mapping, in file order (keys are unique: duplicates are refused when parsing).
    Mapping(Vec<Entry>),
}

/// One key and value of a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The key's text.
    pub(crate) key: String,
    /// Where the key is written.
    pub(crate) key_at: Position,
    /// The value.
    pub(crate) value: Node,
    /// The entry stands for a short-form tag (`!Ref`), so messages quote it as the user wrote it.
    pub(crate) short_form: bool,
}

/// The size of a node and everything under it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Extent {
    /// Nodes, itself included.
    pub(crate) nodes: usize,
    /// Bytes of scalar text (keys included).
    pub(crate) bytes: usize,
    /// Levels of nesting, 1 for a scalar.
    pub(crate) height: usize,
}

impl Extent {
    /// The extent of a node holding children of these extents (and `key_bytes` of keys).
    pub(crate) fn of_children<'a>(
        children: impl Iterator<Item = &'a Extent>,
        key_bytes: usize,
    ) -> Extent {
        let mut total = Extent {
            nodes: 1,
            bytes: key_bytes,
            height: 1,
        };
        for child in children {
            total.nodes = total.nodes.saturating_add(child.nodes);
            total.bytes = total.bytes.saturating_add(child.bytes);
            total.height = total.height.max(child.height.saturating_add(1));
        }
        total
    }
}

impl Node {
    /// A scalar's text, if this is one.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A mapping's entries, if this is one.
    pub(crate) fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry of a mapping with exactly this key (CloudFormation's keys are case-sensitive).
    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|entry| entry.key == key)
    }

    /// The value under `key` in a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// What kind of node this is, in words, for errors.
    pub(crate) fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Sequence(_) => "a list",
            NodeKind::Mapping(_) => "a mapping",
        }
    }
}
