//! The organization digest: one report of every account's sweep, published in parts.
