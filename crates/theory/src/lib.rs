//! polarity-theory: exact theory for "Polarity is all you need" (App. D): the probability that a
//! single-hidden-layer ReLU network whose weight signs are drawn at random can represent XOR.
//!
//! Three curves, all exact rationals (see the crate README):
//! - [`counting::theorem_d1`]: Theorem D.1 as printed (fine sign patterns, depends on d);
//! - [`classes::lemma_d1_condition`]: the probability of Lemma D.1's sufficient condition itself;
//! - [`truth::representable`]: the true probability, from the exact LP oracle in [`oracle`].

pub mod classes;
pub mod counting;
pub mod exact;
