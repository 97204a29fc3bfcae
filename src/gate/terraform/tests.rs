//! Units over `read_plan`.
