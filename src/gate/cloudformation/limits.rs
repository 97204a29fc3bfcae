//! Every bound a template can push against, in one place. A template comes from a pull request: its
//! size, nesting, alias expansion and condition chains are all capped before they cost anything.

/// The largest template read: CloudFormation takes at most 1 MB from S3 (51,200 bytes inline), so a
/// real template, even `cdk synth` output with 200 distributions, is below it.
pub const MAX_TEMPLATE_BYTES: usize = 1024 * 1024;

/// The deepest nesting of mappings and sequences: a distribution's properties are about 8 levels
/// under the top, intrinsics add a few; 64 leaves room and keeps every walk's recursion shallow.
pub const MAX_DEPTH: usize = 64;

/// The most nodes a template may hold once YAML aliases are expanded: a 1 MiB JSON template holds
/// at most about 500,000 (`[1,1,…]`), so more can only come from aliases (a "billion laughs").
pub const MAX_NODES: usize = 500_000;

/// The most bytes of scalar text once aliases are expanded: eight times the largest file, so an
/// alias repeated over a long string cannot exhaust memory.
pub const MAX_EXPANDED_BYTES: usize = 8 * MAX_TEMPLATE_BYTES;

/// The deepest chain of `Condition` references (a condition naming a condition naming …): real
/// templates chain two or three; the bound keeps the evaluation's recursion shallow.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// The most items `Fn::Split` may produce, and the longest text `Fn::Join`/`Fn::Sub` may build:
/// intrinsics over the template's own values cannot grow past what CloudFormation would accept.
pub const MAX_RESOLVED_ITEMS: usize = 10_000;

/// The longest string an intrinsic may build (`Fn::Join` over a list of aliases, `Fn::Sub`).
pub const MAX_RESOLVED_BYTES: usize = MAX_TEMPLATE_BYTES;
