//! The bundled font. Plotters' `ab_glyph` feature renders text from registered font bytes, so figures look
//! the same on every machine and need no system fonts (CI images often have none).

use plotters::style::{register_font, FontStyle};
use std::sync::Once;

/// DejaVu Sans 2.37 (Debian `fonts-dejavu-core`), Bitstream Vera licence: see assets/fonts/LICENSE-DejaVu.txt.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name every text style in this crate uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the bundled font under [`FAMILY`] once per process (bold and italic fall back to it).
pub(crate) fn ensure_registered() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_err() {
            // The bytes are compiled in; failing to parse them is a packaging bug, not a runtime condition.
            panic!("bundled font assets/fonts/DejaVuSans.ttf is not a valid TrueType font");
        }
    });
}
