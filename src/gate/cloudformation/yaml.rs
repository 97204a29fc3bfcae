//! YAML and JSON templates, one parser: saphyr's event API keeps every node's tag and position
//! (JSON is YAML 1.2's flow syntax, so `cdk synth` output gets positions too). The events are folded
//! into a [`Node`] tree with an explicit stack (no recursion on the input), every bound checked as
//! the tree grows: depth, node count and text once aliases are expanded, duplicate keys, tags.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Tag};

use super::error::{Fault, TemplateFault};
use super::limits::{MAX_DEPTH, MAX_EXPANDED_BYTES, MAX_NODES};
use super::node::{Entry, Extent, Node, NodeKind};
use crate::gate::Position;

/// CloudFormation's short-form tags and the long form each stands for.
const INTRINSIC_TAGS: [(&str, &str); 19] = [
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("If", "Fn::If"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("FindInMap", "Fn::FindInMap"),
    ("Split", "Fn::Split"),
    ("Base64", "Fn::Base64"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("GetAZs", "Fn::GetAZs"),
    ("Cidr", "Fn::Cidr"),
    ("Transform", "Fn::Transform"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// YAML's core schema handle (`!!str` is `tag:yaml.org,2002:str`).
const CORE_SCHEMA: &str = "tag:yaml.org,2002:";

/// Parses a whole template into its node tree. The caller has checked the size.
pub(crate) fn parse(text: &str) -> Result<Node, Fault> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0usize;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|error| Fault {
            at: position(error.marker()),
            // The scanner's own nesting bound is far above ours: nesting that deep is too deep,
            // not a syntax error.
            fault: if error.info().contains("recursion limit") {
                TemplateFault::TooDeep { limit: MAX_DEPTH }
            } else {
                TemplateFault::Syntax {
                    message: error.info().to_owned(),
                }
            },
        })?;
        let at = position(&span.start);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Fault {
                        at,
                        fault: TemplateFault::SeveralDocuments,
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                builder.scalar(at, text.into_owned(), plain, anchor, tag.as_deref())?;
            }
            Event::SequenceStart(anchor, tag) => {
                builder.open(at, Open::Sequence(Vec::new()), anchor, tag.as_deref())?
            }
            Event::MappingStart(anchor, tag) => builder.open(
                at,
                Open::Mapping {
                    entries: Vec::new(),
                    key: None,
                    seen: HashMap::new(),
                },
                anchor,
                tag.as_deref(),
            )?,
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
            Event::Alias(anchor) => builder.alias(at, anchor)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    builder.root.ok_or(Fault {
        at: super::error::START,
        fault: TemplateFault::NotATemplate {
            what: "the file is empty".to_owned(),
        },
    })
}

/// saphyr's marker (line from 1, column from 0) as an editor's position (both from 1).
fn position(marker: &Marker) -> Position {
    Position {
        line: u32::try_from(marker.line()).unwrap_or(u32::MAX),
        column: u32::try_from(marker.col().saturating_add(1)).unwrap_or(u32::MAX),
    }
}

/// A collection being read.
enum Open {
    Sequence(Vec<Node>),
    Mapping {
        entries: Vec<Entry>,
        /// The key read, waiting for its value.
        key: Option<(String, Position)>,
        /// Keys so far and where, for the duplicate-key error.
        seen: HashMap<String, Position>,
    },
}

struct Frame {
    at: Position,
    anchor: usize,
    tag: Option<Tagging>,
    open: Open,
}

/// What a tag asks of its node.
#[derive(Clone, Copy)]
enum Tagging {
    /// A short-form intrinsic: wrap the node in `{long_name: node}`.
    Intrinsic(&'static str),
    /// `!!str` and the other core tags: keep the node, as a non-plain scalar.
    Core,
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    /// Nodes and text so far, aliases expanded.
    total: Extent,
}

impl Builder {
    fn depth(&self) -> usize {
        self.stack.len()
    }

    fn count(&mut self, at: Position, extent: Extent) -> Result<(), Fault> {
        self.total.nodes = self.total.nodes.saturating_add(extent.nodes);
        self.total.bytes = self.total.bytes.saturating_add(extent.bytes);
        if self.total.nodes > MAX_NODES || self.total.bytes > MAX_EXPANDED_BYTES {
            return Err(Fault {
                at,
                fault: TemplateFault::TooLargeExpanded {
                    nodes: MAX_NODES,
                    bytes: MAX_EXPANDED_BYTES,
                },
            });
        }
        // A wrapped short-form tag adds a level, hence the 1 of slack.
        if self.depth().saturating_add(extent.height) > MAX_DEPTH.saturating_add(1) {
            return Err(Fault {
                at,
                fault: TemplateFault::TooDeep { limit: MAX_DEPTH },
            });
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        at: Position,
        text: String,
        plain: bool,
        anchor: usize,
        tag: Option<&Tag>,
    ) -> Result<(), Fault> {
        let tagging = tagging(at, tag)?;
        let extent = Extent {
            nodes: 1,
            bytes: text.len(),
            height: 1,
        };
        self.count(at, extent)?;
        let plain = plain && tagging.is_none();
        let node = Node {
            at,
            kind: NodeKind::Scalar { text, plain },
            extent,
        };
        self.finish(node, anchor, tagging)
    }

    fn open(
        &mut self,
        at: Position,
        open: Open,
        anchor: usize,
        tag: Option<&Tag>,
    ) -> Result<(), Fault> {
        let tag = tagging(at, tag)?;
        if self.depth() >= MAX_DEPTH {
            return Err(Fault {
                at,
                fault: TemplateFault::TooDeep { limit: MAX_DEPTH },
            });
        }
        self.count(
            at,
            Extent {
                nodes: 1,
                bytes: 0,
                height: 1,
            },
        )?;
        self.stack.push(Frame {
            at,
            anchor,
            tag,
            open,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), Fault> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let kind = match frame.open {
            Open::Sequence(items) => NodeKind::Sequence(items),
            Open::Mapping { entries, .. } => NodeKind::Mapping(merge_keys(entries)?),
        };
        let extent = match &kind {
            NodeKind::Sequence(items) => {
                Extent::of_children(items.iter().map(|item| &item.extent), 0)
            }
            NodeKind::Mapping(entries) => Extent::of_children(
                entries.iter().map(|entry| &entry.value.extent),
                entries.iter().map(|entry| entry.key.len()).sum(),
            ),
            NodeKind::Scalar { .. } => Extent::default(),
        };
        let node = Node {
            at: frame.at,
            kind,
            extent,
        };
        self.finish(node, frame.anchor, frame.tag)
    }

    fn alias(&mut self, at: Position, anchor: usize) -> Result<(), Fault> {
        let unknown = Fault {
            at,
            fault: TemplateFault::UnknownAnchor,
        };
        let Some(extent) = self.anchors.get(&anchor).map(|node| node.extent) else {
            return Err(unknown);
        };
        // The expansion is charged before it is copied: copying is what a billion-laughs document
        // abuses, so a copy over the bound is never made.
        self.count(at, extent)?;
        let node = self.anchors.get(&anchor).cloned().ok_or(unknown)?;
        self.finish(node, 0, None)
    }

    /// A complete node: wrapped if tagged, remembered if anchored, then given to its parent.
    fn finish(&mut self, node: Node, anchor: usize, tag: Option<Tagging>) -> Result<(), Fault> {
        let node = match tag {
            Some(Tagging::Intrinsic(long_name)) => Node {
                at: node.at,
                extent: Extent::of_children(std::iter::once(&node.extent), long_name.len()),
                kind: NodeKind::Mapping(vec![Entry {
                    key: long_name.to_owned(),
                    key_at: node.at,
                    value: node,
                    short_form: true,
                }]),
            },
            Some(Tagging::Core) | None => node,
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut parent.open {
            Open::Sequence(items) => items.push(node),
            Open::Mapping { entries, key, seen } => match key.take() {
                None => {
                    let NodeKind::Scalar { text, .. } = node.kind else {
                        return Err(Fault {
                            at: node.at,
                            fault: TemplateFault::NonStringKey {
                                found: node.describe(),
                            },
                        });
                    };
                    if let Some(first) = seen.get(&text) {
                        return Err(Fault {
                            at: node.at,
                            fault: TemplateFault::DuplicateKey {
                                key: text,
                                first_line: first.line,
                                first_column: first.column,
                            },
                        });
                    }
                    seen.insert(text.clone(), node.at);
                    *key = Some((text, node.at));
                }
                Some((text, key_at)) => entries.push(Entry {
                    key: text,
                    key_at,
                    value: node,
                    short_form: false,
                }),
            },
        }
        Ok(())
    }
}

/// YAML's merge key: `<<: *defaults` (or `<<: [*a, *b]`) brings in the entries of the mappings
/// named, which `sam deploy` and `aws cloudformation package` expand before CloudFormation sees
/// the template. The mapping's own keys win, then earlier mappings over later ones (YAML 1.1's
/// merge type); merged entries keep their place in the file, where the value is written.
const MERGE_KEY: &str = "<<";

fn merge_keys(entries: Vec<Entry>) -> Result<Vec<Entry>, Fault> {
    if !entries.iter().any(|entry| entry.key == MERGE_KEY) {
        return Ok(entries);
    }
    let not_a_mapping = |at: Position| {
        Fault::malformed(
            at,
            "a merge key (`<<`) takes a mapping or a list of mappings (`<<: *name`)",
        )
    };
    let mut own = Vec::new();
    let mut merged: Vec<Entry> = Vec::new();
    for entry in entries {
        if entry.key != MERGE_KEY {
            own.push(entry);
            continue;
        }
        let sources = match entry.value.kind {
            NodeKind::Mapping(source) => vec![source],
            NodeKind::Sequence(items) => items
                .into_iter()
                .map(|item| match item.kind {
                    NodeKind::Mapping(source) => Ok(source),
                    _ => Err(not_a_mapping(item.at)),
                })
                .collect::<Result<_, _>>()?,
            NodeKind::Scalar { .. } => return Err(not_a_mapping(entry.value.at)),
        };
        for source in sources {
            for inherited in source {
                if !merged.iter().any(|m| m.key == inherited.key) {
                    merged.push(inherited);
                }
            }
        }
    }
    merged.retain(|m| !own.iter().any(|entry| entry.key == m.key));
    own.extend(merged);
    Ok(own)
}

fn tagging(at: Position, tag: Option<&Tag>) -> Result<Option<Tagging>, Fault> {
    let Some(tag) = tag else {
        return Ok(None);
    };
    if tag.handle == CORE_SCHEMA {
        return Ok(Some(Tagging::Core));
    }
    if tag.handle == "!" {
        if let Some((_, long_name)) = INTRINSIC_TAGS
            .iter()
            .find(|(short, _)| *short == tag.suffix)
        {
            return Ok(Some(Tagging::Intrinsic(long_name)));
        }
    }
    Err(Fault {
        at,
        fault: TemplateFault::UnknownTag {
            tag: super::error::echo(&format!("{}{}", tag.handle, tag.suffix)),
        },
    })
}
