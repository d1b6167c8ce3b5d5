//! # polarity-reproduce-images: the image half of the paper, and polarity transfer run here
//!
//! - `polarity reproduce transfer` ([`transfer`]): a source network is trained here on half of
//!   Fashion-MNIST's classes; its polarity (saved as a template artifact) and its weights are
//!   transferred to the other half with few samples, under the paper's conditions, through the
//!   sweep runner, with metrics, statistics, figures, claims and a report.
//! - `polarity reproduce images` ([`images`]): the paper's grid (Fig 2, 3, Supp B.2-B.6) on
//!   Fashion-MNIST or CIFAR-10, with ImageNet AlexNet weights when a weights file is given.
//!
//! Both share [`study`] (units of (task, size, trial) training every condition from one random
//! draw), [`runs`], [`measure`], [`figures`], [`claims`] and [`sections`].

pub mod claims;
pub mod cli;
pub mod design;
pub mod figures;
pub mod images;
pub mod measure;
pub mod runs;
pub mod sections;
pub mod source_net;
pub mod study;
pub mod transfer;
