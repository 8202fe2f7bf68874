//! Writing the chosen body as simple, well-nested HTML.
//!
//! Input: the page, the body roots and the cleaning verdicts. Output: HTML made only of
//! paragraphs, subheads (h2–h4), lists, block quotes, preformatted text, data tables, line
//! breaks and inline emphasis and links (absolutized against the page URL). Layout containers
//! (`div`, `section`, layout tables…) disappear; loose text in them becomes paragraphs, as a
//! reader sees it. Figures and images are left out: the lead image is a field of its own.
//! The walk is iterative and output nesting is capped, so deep or broken markup yields flat,
//! valid HTML rather than a stack overflow. It never writes an attribute other than `href`.

use url::Url;

use crate::body::Stats;
use crate::dom::{Attr, Dom, Kind, NodeId, Tag};

/// Beyond this many open output tags, further structure is flattened to its text.
const MAX_OUT_DEPTH: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    P,
    /// A paragraph the renderer opened around loose text.
    ImplicitP,
    H(u8),
    Ul,
    Ol,
    Li,
    ImplicitLi,
    Blockquote,
    Pre,
    Table,
    Tr,
    Td,
    Th,
    A,
    Em,
    Strong,
    Code,
    Sub,
    Sup,
    Q,
    Cite,
}

impl Out {
    fn name(self) -> &'static str {
        match self {
            Out::P | Out::ImplicitP => "p",
            Out::H(2) => "h2",
            Out::H(3) => "h3",
            Out::H(_) => "h4",
            Out::Ul => "ul",
            Out::Ol => "ol",
            Out::Li | Out::ImplicitLi => "li",
            Out::Blockquote => "blockquote",
            Out::Pre => "pre",
            Out::Table => "table",
            Out::Tr => "tr",
            Out::Td => "td",
            Out::Th => "th",
            Out::A => "a",
            Out::Em => "em",
            Out::Strong => "strong",
            Out::Code => "code",
            Out::Sub => "sub",
            Out::Sup => "sup",
            Out::Q => "q",
            Out::Cite => "cite",
        }
    }

    fn is_inline(self) -> bool {
        matches!(
            self,
            Out::A | Out::Em | Out::Strong | Out::Code | Out::Sub | Out::Sup | Out::Q | Out::Cite
        )
    }

    /// Containers whose content is phrasing only: a block inside them is read as text.
    fn is_inline_only(self) -> bool {
        matches!(self, Out::P | Out::H(_) | Out::Pre | Out::Td | Out::Th)
    }
}

struct Frame {
    node: NodeId,
    /// Serial of the tag this node opened, if any, and the open-stack height before it.
    opened: Option<(u64, usize)>,
    block: bool,
}

pub(crate) struct Renderer<'a> {
    dom: &'a Dom,
    dead: &'a [bool],
    stats: &'a [Stats],
    drop: &'a [bool],
    data_table: &'a [bool],
    base: &'a Url,
    out: String,
    open: Vec<(Out, u64)>,
    serial: u64,
    /// Whitespace seen and not yet written.
    space: bool,
    /// Nothing written since the last opening tag or line break (a space there is dropped).
    fresh: bool,
    /// Characters of text written: how an attempt is judged without re-parsing its output.
    pub(crate) text_chars: usize,
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(
        dom: &'a Dom,
        dead: &'a [bool],
        stats: &'a [Stats],
        drop: &'a [bool],
        data_table: &'a [bool],
        base: &'a Url,
    ) -> Self {
        Renderer {
            dom,
            dead,
            stats,
            drop,
            data_table,
            base,
            out: String::new(),
            open: Vec::new(),
            serial: 0,
            space: false,
            fresh: true,
            text_chars: 0,
        }
    }

    pub(crate) fn finish(mut self) -> (String, usize) {
        self.close_to(0);
        (self.out, self.text_chars)
    }

    fn top(&self) -> Option<Out> {
        self.open.last().map(|&(o, _)| o)
    }

    fn push(&mut self, o: Out, href: Option<&str>) -> u64 {
        self.serial += 1;
        self.out.push('<');
        self.out.push_str(o.name());
        if let Some(h) = href {
            self.out.push_str(" href=\"");
            escape(&mut self.out, h, true);
            self.out.push('"');
        }
        self.out.push('>');
        self.open.push((o, self.serial));
        self.space = false;
        self.fresh = true;
        self.serial
    }

    fn close_to(&mut self, height: usize) {
        while self.open.len() > height {
            if let Some((o, _)) = self.open.pop() {
                self.out.push_str("</");
                self.out.push_str(o.name());
                self.out.push('>');
            }
        }
        self.space = false;
    }

    /// Prepares for a block: closes inline tags and implicit wrappers down to the nearest
    /// container that can hold blocks. False when an inline-only container (a paragraph, a
    /// heading, a cell) encloses us: the block is then read as text inside it.
    fn block_boundary(&mut self) -> bool {
        if self.open.len() >= MAX_OUT_DEPTH {
            return false;
        }
        let mut keep = self.open.len();
        for (idx, &(o, _)) in self.open.iter().enumerate().rev() {
            if o.is_inline() || matches!(o, Out::ImplicitP | Out::ImplicitLi) {
                keep = idx;
                continue;
            }
            if o.is_inline_only() {
                return false;
            }
            break;
        }
        if keep < self.open.len() {
            self.close_to(keep);
        }
        true
    }

    /// Prepares for phrasing content. False where text cannot go (between table rows).
    fn ensure_inline(&mut self) -> bool {
        match self.top() {
            None | Some(Out::Blockquote) => {
                self.push(Out::ImplicitP, None);
                true
            }
            Some(Out::Ul | Out::Ol) => {
                self.push(Out::ImplicitLi, None);
                true
            }
            Some(Out::Table | Out::Tr) => false,
            Some(_) => true,
        }
    }

    fn text(&mut self, t: &str) {
        if self.open.iter().any(|&(o, _)| o == Out::Pre) {
            escape(&mut self.out, t, false);
            self.fresh = false;
            return;
        }
        let mut words = t.split(crate::dom::is_space).filter(|w| !w.is_empty());
        let Some(first) = words.next() else {
            if !t.is_empty() {
                self.space = true;
            }
            return;
        };
        if !self.ensure_inline() {
            return;
        }
        if (self.space || t.starts_with(crate::dom::is_space)) && !self.fresh {
            self.out.push(' ');
        }
        escape(&mut self.out, first, false);
        self.text_chars += first.chars().count();
        for w in words {
            self.out.push(' ');
            escape(&mut self.out, w, false);
            self.text_chars += 1 + w.chars().count();
        }
        self.fresh = false;
        self.space = t.ends_with(crate::dom::is_space);
    }

    /// Renders one root subtree.
    pub(crate) fn render(&mut self, root: NodeId) {
        let mut frames: Vec<Frame> = Vec::new();
        let mut cur = Some(root);
        loop {
            if let Some(c) = cur {
                match self.enter(c) {
                    Some(frame) => {
                        frames.push(frame);
                        cur = self.dom.first_child(c);
                        continue;
                    }
                    None if c == root => break,
                    None => {
                        cur = self.dom.next_sibling(c);
                        continue;
                    }
                }
            }
            let Some(f) = frames.pop() else { break };
            self.leave(&f);
            if f.node == root {
                break;
            }
            cur = self.dom.next_sibling(f.node);
        }
    }

    fn skipped(&self, i: NodeId) -> bool {
        self.dead.get(i).copied().unwrap_or(true) || self.drop.get(i).copied().unwrap_or(false)
    }

    /// Emits the start of `i`; `None` when its subtree is skipped (or it has no children).
    fn enter(&mut self, i: NodeId) -> Option<Frame> {
        if self.skipped(i) {
            return None;
        }
        let e = match self.dom.node(i).map(|n| &n.kind) {
            Some(Kind::Text(t, ..)) => {
                self.text(t);
                return None;
            }
            Some(Kind::Element(e)) => e,
            _ => return None,
        };
        let mut frame = Frame {
            node: i,
            opened: None,
            block: false,
        };
        let open_block = |r: &mut Self, o: Out| -> Option<(u64, usize)> {
            if !r.block_boundary() {
                r.space = true;
                return None;
            }
            if matches!(r.top(), Some(Out::Ul | Out::Ol)) && !matches!(o, Out::Li) {
                r.push(Out::ImplicitLi, None);
            }
            if matches!(r.top(), Some(Out::Table | Out::Tr)) {
                return None;
            }
            let h = r.open.len();
            Some((r.push(o, None), h))
        };
        match e.tag {
            Tag::Img | Tag::Picture | Tag::Figure | Tag::Hr => return None,
            Tag::Br => {
                match self.top() {
                    Some(Out::ImplicitP) => self.close_to(self.open.len().saturating_sub(1)),
                    Some(o)
                        if o.is_inline()
                            || o.is_inline_only()
                            || matches!(o, Out::Li | Out::ImplicitLi) =>
                    {
                        self.out.push_str("<br>");
                        self.space = false;
                        self.fresh = true;
                    }
                    _ => {}
                }
                return None;
            }
            Tag::P | Tag::Dt | Tag::Dd | Tag::Summary | Tag::Caption | Tag::Address => {
                frame.block = true;
                frame.opened = open_block(self, Out::P);
            }
            Tag::Figcaption => return None,
            Tag::H1 | Tag::H2 => {
                frame.block = true;
                frame.opened = open_block(self, Out::H(2));
            }
            Tag::H3 => {
                frame.block = true;
                frame.opened = open_block(self, Out::H(3));
            }
            Tag::H4 | Tag::H5 | Tag::H6 => {
                frame.block = true;
                frame.opened = open_block(self, Out::H(4));
            }
            Tag::Ul | Tag::Ol => {
                frame.block = true;
                let o = if e.tag == Tag::Ul { Out::Ul } else { Out::Ol };
                frame.opened = open_block(self, o);
            }
            Tag::Li => {
                frame.block = true;
                let in_list =
                    self.block_boundary() && matches!(self.top(), Some(Out::Ul | Out::Ol));
                frame.opened = if in_list {
                    let h = self.open.len();
                    Some((self.push(Out::Li, None), h))
                } else {
                    open_block(self, Out::P)
                };
            }
            Tag::Blockquote => {
                frame.block = true;
                frame.opened = open_block(self, Out::Blockquote);
            }
            Tag::Pre => {
                frame.block = true;
                frame.opened = open_block(self, Out::Pre);
            }
            Tag::Table if self.data_table.get(i).copied().unwrap_or(false) => {
                frame.block = true;
                frame.opened = open_block(self, Out::Table);
            }
            Tag::Tr if self.top() == Some(Out::Table) => {
                frame.block = true;
                let h = self.open.len();
                frame.opened = Some((self.push(Out::Tr, None), h));
            }
            Tag::Td | Tag::Th if self.top() == Some(Out::Tr) => {
                frame.block = true;
                let h = self.open.len();
                let o = if e.tag == Tag::Td { Out::Td } else { Out::Th };
                frame.opened = Some((self.push(o, None), h));
            }
            Tag::Thead | Tag::Tbody | Tag::Tfoot if self.top() == Some(Out::Table) => {}
            t if t.is_block() => {
                // Layout containers: a paragraph boundary, nothing written.
                frame.block = true;
                if !self.block_boundary() {
                    self.space = true;
                }
            }
            Tag::A
            | Tag::Em
            | Tag::I
            | Tag::Strong
            | Tag::B
            | Tag::Code
            | Tag::Sub
            | Tag::Sup
            | Tag::Q
            | Tag::Cite => frame.opened = self.open_inline(i, e),
            _ => {}
        }
        if self.dom.first_child(i).is_none() {
            self.leave(&frame);
            return None;
        }
        Some(frame)
    }

    /// Opens an inline element (link, emphasis…) when it has text and inline content can go
    /// here; returns what it opened.
    fn open_inline(&mut self, i: NodeId, e: &crate::dom::Element) -> Option<(u64, usize)> {
        if self.open.len() < MAX_OUT_DEPTH
            && !self.open.iter().any(|&(o, _)| o == Out::Pre)
            && self.has_text(i)
            && self.ensure_inline()
        {
            let o = match e.tag {
                Tag::A => Out::A,
                Tag::Em | Tag::I => Out::Em,
                Tag::Strong | Tag::B => Out::Strong,
                Tag::Code => Out::Code,
                Tag::Sub => Out::Sub,
                Tag::Sup => Out::Sup,
                Tag::Q => Out::Q,
                _ => Out::Cite,
            };
            let nested_link = o == Out::A && self.open.iter().any(|&(x, _)| x == Out::A);
            if !nested_link {
                let href = if o == Out::A {
                    e.attr(Attr::Href).and_then(|h| absolutize(self.base, h))
                } else {
                    None
                };
                if self.space && !self.fresh {
                    self.out.push(' ');
                }
                let h = self.open.len();
                return Some((self.push(o, href.as_deref()), h));
            }
        }
        None
    }

    /// Whether the element has live text (an empty link or emphasis is not written).
    fn has_text(&self, i: NodeId) -> bool {
        self.stats.get(i).is_some_and(|s| s.text > 0)
    }

    fn leave(&mut self, f: &Frame) {
        if let Some((serial, height)) = f.opened {
            if self.open.get(height).is_some_and(|&(_, s)| s == serial) {
                let inline = self.open.get(height).is_some_and(|&(o, _)| o.is_inline());
                let space = self.space;
                self.close_to(height);
                // A space after `</a>` belongs to the text that follows.
                if inline {
                    self.space = space;
                }
            }
        } else if f.block {
            self.block_boundary();
        }
    }
}

/// Resolves a link against the page; only web and mail links survive.
pub(crate) fn absolutize(base: &Url, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let u = base.join(href).ok()?;
    matches!(u.scheme(), "http" | "https" | "mailto").then(|| u.to_string())
}

fn escape(out: &mut String, s: &str, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}
