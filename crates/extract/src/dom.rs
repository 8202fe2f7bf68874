//! A compact, read-only copy of the parsed page that the extractor walks.
//!
//! Input: the tree html5ever built (through `scraper`). Output: an arena of nodes in document
//! order, each knowing its parent, first child, next sibling and where its subtree ends, with
//! tag names turned into an enum and only the attributes the extractor reads. Because nodes are
//! stored in pre-order, "is X inside Y" is a range check and bottom-up sums are one reverse
//! pass: every walk in this crate is linear and iterative, so hostile nesting can neither
//! exhaust the stack nor make a walk quadratic. It never mutates the page after building it.

use ego_tree::iter::Edge;
use scraper::{Html, Node as ScraperNode};

/// Index of a node in [`Dom::nodes`].
pub(crate) type NodeId = usize;

/// The tags the extractor tells apart; everything else is [`Tag::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    A,
    Abbr,
    Address,
    Article,
    Aside,
    Audio,
    B,
    Base,
    Blockquote,
    Body,
    Br,
    Button,
    Canvas,
    Caption,
    Center,
    Cite,
    Code,
    Dd,
    Details,
    Dialog,
    Div,
    Dl,
    Dt,
    Em,
    Embed,
    Fieldset,
    Figcaption,
    Figure,
    Font,
    Footer,
    Form,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Head,
    Header,
    Hr,
    Html,
    I,
    Iframe,
    Img,
    Input,
    Label,
    Li,
    Link,
    Main,
    Math,
    Meta,
    Nav,
    Noscript,
    Object,
    Ol,
    Option,
    P,
    Picture,
    Pre,
    Q,
    Script,
    Section,
    Select,
    Span,
    Strong,
    Style,
    Sub,
    Summary,
    Sup,
    Svg,
    Table,
    Tbody,
    Td,
    Template,
    Textarea,
    Tfoot,
    Th,
    Thead,
    Time,
    Title,
    Tr,
    Ul,
    Video,
    Other,
}

impl Tag {
    fn from_name(name: &str) -> Tag {
        match name {
            "a" => Tag::A,
            "abbr" => Tag::Abbr,
            "address" => Tag::Address,
            "article" => Tag::Article,
            "aside" => Tag::Aside,
            "audio" => Tag::Audio,
            "b" => Tag::B,
            "base" => Tag::Base,
            "blockquote" => Tag::Blockquote,
            "body" => Tag::Body,
            "br" => Tag::Br,
            "button" => Tag::Button,
            "canvas" => Tag::Canvas,
            "caption" => Tag::Caption,
            "center" => Tag::Center,
            "cite" => Tag::Cite,
            "code" | "tt" | "kbd" | "samp" => Tag::Code,
            "dd" => Tag::Dd,
            "details" => Tag::Details,
            "dialog" => Tag::Dialog,
            "div" => Tag::Div,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "em" => Tag::Em,
            "embed" => Tag::Embed,
            "fieldset" => Tag::Fieldset,
            "figcaption" => Tag::Figcaption,
            "figure" => Tag::Figure,
            "font" => Tag::Font,
            "footer" => Tag::Footer,
            "form" => Tag::Form,
            "h1" => Tag::H1,
            "h2" => Tag::H2,
            "h3" => Tag::H3,
            "h4" => Tag::H4,
            "h5" => Tag::H5,
            "h6" => Tag::H6,
            "head" => Tag::Head,
            "header" => Tag::Header,
            "hr" => Tag::Hr,
            "html" => Tag::Html,
            "i" => Tag::I,
            "iframe" | "frame" | "frameset" => Tag::Iframe,
            "img" => Tag::Img,
            "input" => Tag::Input,
            "label" => Tag::Label,
            "li" => Tag::Li,
            "link" => Tag::Link,
            "main" => Tag::Main,
            "math" => Tag::Math,
            "meta" => Tag::Meta,
            "nav" => Tag::Nav,
            "noscript" => Tag::Noscript,
            "object" | "applet" => Tag::Object,
            "ol" => Tag::Ol,
            "option" | "optgroup" | "datalist" => Tag::Option,
            "p" => Tag::P,
            "picture" => Tag::Picture,
            "pre" | "listing" | "xmp" => Tag::Pre,
            "q" => Tag::Q,
            "script" => Tag::Script,
            "section" => Tag::Section,
            "select" => Tag::Select,
            "span" => Tag::Span,
            "strong" => Tag::Strong,
            "style" => Tag::Style,
            "sub" => Tag::Sub,
            "summary" => Tag::Summary,
            "sup" => Tag::Sup,
            "svg" => Tag::Svg,
            "table" => Tag::Table,
            "tbody" => Tag::Tbody,
            "td" => Tag::Td,
            "template" => Tag::Template,
            "textarea" => Tag::Textarea,
            "tfoot" => Tag::Tfoot,
            "th" => Tag::Th,
            "thead" => Tag::Thead,
            "time" => Tag::Time,
            "title" => Tag::Title,
            "tr" => Tag::Tr,
            "ul" | "menu" => Tag::Ul,
            "video" => Tag::Video,
            _ => Tag::Other,
        }
    }

    pub(crate) fn is_heading(self) -> bool {
        matches!(
            self,
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6
        )
    }

    /// Blocks that stop a `div` from being read as one paragraph (Readability's
    /// `DIV_TO_P_ELEMS`, plus the other flow containers).
    pub(crate) fn is_block(self) -> bool {
        matches!(
            self,
            Tag::Address
                | Tag::Article
                | Tag::Aside
                | Tag::Blockquote
                | Tag::Center
                | Tag::Details
                | Tag::Dialog
                | Tag::Div
                | Tag::Dl
                | Tag::Dd
                | Tag::Dt
                | Tag::Fieldset
                | Tag::Figure
                | Tag::Figcaption
                | Tag::Footer
                | Tag::Form
                | Tag::H1
                | Tag::H2
                | Tag::H3
                | Tag::H4
                | Tag::H5
                | Tag::H6
                | Tag::Header
                | Tag::Hr
                | Tag::Li
                | Tag::Main
                | Tag::Nav
                | Tag::Ol
                | Tag::P
                | Tag::Pre
                | Tag::Section
                | Tag::Summary
                | Tag::Table
                | Tag::Tbody
                | Tag::Td
                | Tag::Tfoot
                | Tag::Th
                | Tag::Thead
                | Tag::Tr
                | Tag::Ul
                | Tag::Caption
                | Tag::Body
                | Tag::Html
        )
    }

    /// Never reader-visible text, wherever they appear.
    pub(crate) fn is_invisible(self) -> bool {
        matches!(
            self,
            Tag::Script
                | Tag::Style
                | Tag::Noscript
                | Tag::Template
                | Tag::Head
                | Tag::Title
                | Tag::Meta
                | Tag::Link
                | Tag::Base
                | Tag::Svg
                | Tag::Math
                | Tag::Canvas
                | Tag::Iframe
                | Tag::Object
                | Tag::Embed
                | Tag::Audio
                | Tag::Video
                | Tag::Select
                | Tag::Option
                | Tag::Textarea
                | Tag::Button
                | Tag::Input
        )
    }
}

/// The attributes the extractor reads; the rest are not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    Id,
    Class,
    Href,
    Src,
    DataSrc,
    Srcset,
    Itemprop,
    Itemtype,
    Role,
    Rel,
    Style,
    Hidden,
    AriaHidden,
    Datetime,
    Content,
    Name,
    Property,
    Lang,
    HttpEquiv,
    Type,
    Alt,
    Pubdate,
    Summary,
}

impl Attr {
    fn from_name(name: &str) -> Option<Attr> {
        Some(match name {
            "id" => Attr::Id,
            "class" => Attr::Class,
            "href" => Attr::Href,
            "src" => Attr::Src,
            "data-src" | "data-lazy-src" | "data-original" | "data-url" => Attr::DataSrc,
            "srcset" | "data-srcset" => Attr::Srcset,
            "itemprop" => Attr::Itemprop,
            "itemtype" => Attr::Itemtype,
            "role" => Attr::Role,
            "rel" => Attr::Rel,
            "style" => Attr::Style,
            "hidden" => Attr::Hidden,
            "aria-hidden" => Attr::AriaHidden,
            "datetime" => Attr::Datetime,
            "content" => Attr::Content,
            "name" => Attr::Name,
            "property" => Attr::Property,
            "lang" | "xml:lang" => Attr::Lang,
            "http-equiv" => Attr::HttpEquiv,
            "type" => Attr::Type,
            "alt" => Attr::Alt,
            "pubdate" => Attr::Pubdate,
            "summary" => Attr::Summary,
            _ => return None,
        })
    }
}

#[derive(Debug)]
pub(crate) struct Element {
    pub tag: Tag,
    attrs: Vec<(Attr, Box<str>)>,
    /// Lower-cased `class` and `id` joined by a space: what the class/id hints read.
    pub hint: Box<str>,
}

impl Element {
    pub(crate) fn attr(&self, which: Attr) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| *a == which)
            .map(|(_, v)| &**v)
    }
}

#[derive(Debug)]
pub(crate) enum Kind {
    Document,
    Element(Element),
    /// The text, with its length and comma count as the scorer measures them (computed once).
    Text(Box<str>, u32, u32),
    /// Comments, doctypes, processing instructions.
    Other,
}

pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    parent: u32,
    first_child: u32,
    next_sibling: u32,
    prev_sibling: u32,
    /// One past the last node of this subtree (pre-order), so the subtree is `id..end`.
    end: u32,
}

fn opt(i: u32) -> Option<NodeId> {
    (i != NONE).then_some(i as usize)
}

#[derive(Debug)]
pub(crate) struct Dom {
    pub nodes: Vec<Node>,
}

impl Dom {
    /// Copies a parsed document. Pages with more than `u32::MAX` nodes cannot exist below the
    /// crate's input limit, so indices fit in `u32`.
    pub(crate) fn from_html(html: &Html) -> Dom {
        let mut nodes: Vec<Node> = Vec::new();
        // Open nodes on the path from the root, each with its last child so far.
        let mut stack: Vec<(u32, u32)> = Vec::new();
        for edge in html.tree.root().traverse() {
            match edge {
                Edge::Open(n) => {
                    let kind = match n.value() {
                        ScraperNode::Document | ScraperNode::Fragment => Kind::Document,
                        ScraperNode::Element(e) => {
                            let tag = Tag::from_name(e.name());
                            let mut attrs = Vec::new();
                            for (name, value) in e.attrs() {
                                if let Some(a) = Attr::from_name(name) {
                                    attrs.push((a, Box::<str>::from(value)));
                                }
                            }
                            let mut hint = String::new();
                            for which in [Attr::Class, Attr::Id] {
                                if let Some((_, v)) = attrs.iter().find(|(a, _)| *a == which)
                                    && !v.is_empty()
                                {
                                    if !hint.is_empty() {
                                        hint.push(' ');
                                    }
                                    hint.push_str(&v.to_lowercase());
                                }
                            }
                            Kind::Element(Element {
                                tag,
                                attrs,
                                hint: hint.into_boxed_str(),
                            })
                        }
                        ScraperNode::Text(t) => {
                            let (len, commas) = crate::body::text_measure(t);
                            Kind::Text(Box::from(&**t), len, commas)
                        }
                        _ => Kind::Other,
                    };
                    let id = u32::try_from(nodes.len()).unwrap_or(NONE - 1);
                    let parent = stack.last().map_or(NONE, |&(p, _)| p);
                    let prev_sibling = stack.last().map_or(NONE, |&(_, l)| l);
                    if let Some((p, last)) = stack.last_mut() {
                        if *last == NONE {
                            if let Some(pn) = nodes.get_mut(*p as usize) {
                                pn.first_child = id;
                            }
                        } else if let Some(ln) = nodes.get_mut(*last as usize) {
                            ln.next_sibling = id;
                        }
                        *last = id;
                    }
                    nodes.push(Node {
                        kind,
                        parent,
                        first_child: NONE,
                        next_sibling: NONE,
                        prev_sibling,
                        end: id.saturating_add(1),
                    });
                    stack.push((id, NONE));
                }
                Edge::Close(_) => {
                    if let Some((id, _)) = stack.pop() {
                        let end = u32::try_from(nodes.len()).unwrap_or(NONE - 1);
                        if let Some(node) = nodes.get_mut(id as usize) {
                            node.end = end;
                        }
                    }
                }
            }
        }
        Dom { nodes }
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    pub(crate) fn element(&self, id: NodeId) -> Option<&Element> {
        match self.nodes.get(id).map(|n| &n.kind) {
            Some(Kind::Element(e)) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn tag(&self, id: NodeId) -> Option<Tag> {
        self.element(id).map(|e| e.tag)
    }

    pub(crate) fn attr(&self, id: NodeId, which: Attr) -> Option<&str> {
        self.element(id).and_then(|e| e.attr(which))
    }

    pub(crate) fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(id).and_then(|n| opt(n.parent))
    }

    pub(crate) fn first_child(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(id).and_then(|n| opt(n.first_child))
    }

    pub(crate) fn next_sibling(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(id).and_then(|n| opt(n.next_sibling))
    }

    pub(crate) fn prev_sibling(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(id).and_then(|n| opt(n.prev_sibling))
    }

    /// Number of nodes in the subtree of `id`, itself included.
    pub(crate) fn size(&self, id: NodeId) -> usize {
        self.end(id).saturating_sub(id)
    }

    /// For every node, whether some ancestor (not the node) has one of `tags`: one linear
    /// pass instead of a walk up the tree per node.
    pub(crate) fn inside(&self, tags: &[Tag]) -> Vec<bool> {
        let mut out = vec![false; self.len()];
        for i in 0..self.len() {
            let v = self.parent(i).is_some_and(|p| {
                out.get(p).copied().unwrap_or(false)
                    || self.tag(p).is_some_and(|t| tags.contains(&t))
            });
            if let Some(slot) = out.get_mut(i) {
                *slot = v;
            }
        }
        out
    }

    /// One past the last descendant of `id`.
    pub(crate) fn end(&self, id: NodeId) -> NodeId {
        self.nodes.get(id).map_or(id, |n| n.end as usize)
    }

    pub(crate) fn contains(&self, ancestor: NodeId, id: NodeId) -> bool {
        ancestor <= id && id < self.end(ancestor)
    }

    pub(crate) fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            dom: self,
            next: self.first_child(id),
        }
    }

    /// The element children of `id`.
    pub(crate) fn child_elements(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.children(id).filter(|&c| self.element(c).is_some())
    }

    /// The first element with this tag, in document order.
    pub(crate) fn find_tag(&self, tag: Tag) -> Option<NodeId> {
        (0..self.len()).find(|&i| self.tag(i) == Some(tag))
    }

    /// Visible text of a subtree with whitespace collapsed to single spaces and trimmed.
    pub(crate) fn text(&self, id: NodeId) -> String {
        let mut out = String::new();
        let end = self.end(id);
        let mut i = id;
        while i < end {
            match self.nodes.get(i).map(|n| &n.kind) {
                Some(Kind::Element(e)) if e.tag.is_invisible() => {
                    i = self.end(i);
                    continue;
                }
                Some(Kind::Element(e)) if e.tag.is_block() || e.tag == Tag::Br => {
                    out.push(' ');
                }
                Some(Kind::Text(t, ..)) => out.push_str(t),
                _ => {}
            }
            i += 1;
        }
        collapse_whitespace(&out)
    }

    /// Raw text of a subtree including script contents (for JSON-LD and `<title>`).
    pub(crate) fn raw_text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for i in id.saturating_add(1)..self.end(id) {
            if let Some(Kind::Text(t, ..)) = self.nodes.get(i).map(|n| &n.kind) {
                out.push_str(t);
            }
        }
        out
    }
}

pub(crate) struct Children<'a> {
    dom: &'a Dom,
    next: Option<NodeId>,
}

impl Iterator for Children<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let cur = self.next?;
        self.next = self.dom.next_sibling(cur);
        Some(cur)
    }
}

/// HTML's whitespace (not U+00A0) collapsed to single spaces, trimmed.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

pub(crate) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preorder_ranges_and_links() {
        let html =
            Html::parse_document("<div id=A class='X y'><p>one <b>two</b></p><p>three</p></div>");
        let dom = Dom::from_html(&html);
        let div = (0..dom.len())
            .find(|&i| dom.tag(i) == Some(Tag::Div))
            .unwrap();
        assert_eq!(dom.element(div).unwrap().hint.as_ref(), "x y a");
        let kids: Vec<_> = dom.child_elements(div).collect();
        assert_eq!(kids.len(), 2);
        assert!(kids.iter().all(|&k| dom.contains(div, k)));
        assert_eq!(dom.text(div), "one two three");
        assert_eq!(dom.parent(kids[0]), Some(div));
    }
}
