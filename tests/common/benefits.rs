//! The twelve benefits of the contested-cart generators (threshold, per-unit and group
//! forms), shared by `tests/line_order_props.rs` and `benches/stacking_survey.rs` so that
//! the proptest and the survey draw from the same forms.

pub const BENEFITS: [&str; 12] = [
    "直降12",
    "满300减40",
    "满200减20 / 满500减70",
    "每满200减25",
    "满500打8折",
    "满3件打7折",
    "9折",
    "买一送一",
    "第2件半价",
    "特价35",
    "3件99元",
    "立减5",
];
