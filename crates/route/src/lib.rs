//! Routing: which site sections carry a story, and which stories a page lists under
//! "More Information".
//!
//! Input: sites with their sections, the sources each site carries, a story's categories and
//! the summaries of candidate stories (newest first). Output: [`Placement`]s and a filtered
//! list of [`StorySummary`] references. Pure functions: this crate never does I/O, never
//! reorders what it is given and never invents a section a site does not have.
//!
//! ```
//! use masthead_model::{Section, Site};
//! use masthead_route::section_for;
//!
//! let site = Site {
//!     id: 1,
//!     slug: "orlando-echo".into(),
//!     name: "Orlando Echo".into(),
//!     hosts: vec![],
//!     time_zone: "America/New_York".into(),
//!     tagline: String::new(),
//!     sections: vec![
//!         Section { slug: "world".into(), name: "World".into() },
//!         Section { slug: "business".into(), name: "Business".into() },
//!     ],
//! };
//! let categories = vec!["Markets".to_string()];
//! assert_eq!(section_for(&site, &categories, None).as_deref(), Some("business"));
//! ```

mod more;
mod placement;
mod rules;

pub use more::more_information;
pub use placement::{SiteRoute, explain, placements, section_for};
pub use rules::{Explanation, Routable, Rule};

pub use masthead_model::{Placement, StorySummary};
