//! Just enough of an XML reader to hold the JUnit report to well-formedness: one root, tags that
//! nest and match, quoted attributes, and `<` or `&` only as markup or entities. It returns the
//! element tree so tests can assert the report's structure.

#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<']) {
        out.push_str(&rest[..at]);
        if rest[at..].starts_with('<') {
            return Err(format!("a raw < in text: {rest:?}"));
        }
        let end = rest[at..]
            .find(';')
            .ok_or_else(|| format!("an unterminated entity in {rest:?}"))?;
        let entity = &rest[at + 1..at + end];
        out.push(match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => return Err(format!("an unknown entity &{entity};")),
        });
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

/// Parses a whole document; an error says what is not well-formed.
pub fn parse(document: &str) -> Result<Element, String> {
    let mut rest = document;
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after.find("?>").ok_or("an unterminated XML declaration")?;
        rest = &after[end + 2..];
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let at = rest.find('<');
        let text = &rest[..at.unwrap_or(rest.len())];
        match stack.last_mut() {
            Some(open) => open.text.push_str(&unescape(text)?),
            None if !text.trim().is_empty() => {
                return Err(format!("text outside the root: {text:?}"));
            }
            None => {}
        }
        let Some(at) = at else { break };
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            let end = after.find('>').ok_or("an unterminated closing tag")?;
            let name = after[..end].trim();
            let open = stack
                .pop()
                .ok_or_else(|| format!("</{name}> closes nothing"))?;
            if open.name != name {
                return Err(format!("</{name}> closes <{}>", open.name));
            }
            rest = &after[end + 1..];
            match stack.last_mut() {
                Some(parent) => parent.children.push(open),
                None if root.is_none() => root = Some(open),
                None => return Err("more than one root element".into()),
            }
            continue;
        }
        let name_end = rest
            .find(|c: char| !is_name_char(c))
            .ok_or("an unterminated tag")?;
        let mut element = Element {
            name: rest[..name_end].to_owned(),
            ..Element::default()
        };
        if element.name.is_empty() {
            return Err(format!(
                "a tag without a name near {:?}",
                &rest[..rest.len().min(20)]
            ));
        }
        rest = &rest[name_end..];
        let self_closing = loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix("/>") {
                rest = after;
                break true;
            }
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break false;
            }
            let eq = rest.find('=').ok_or("an attribute without a value")?;
            let name = rest[..eq].trim();
            if name.is_empty() || !name.chars().all(is_name_char) {
                return Err(format!("a bad attribute name {name:?}"));
            }
            let after = rest[eq + 1..].trim_start();
            let value = after
                .strip_prefix('"')
                .ok_or("an attribute value not in double quotes")?;
            let end = value.find('"').ok_or("an unterminated attribute value")?;
            element
                .attributes
                .push((name.to_owned(), unescape(&value[..end])?));
            rest = &value[end + 1..];
        };
        if self_closing {
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None if root.is_none() => root = Some(element),
                None => return Err("more than one root element".into()),
            }
        } else {
            if stack.is_empty() && root.is_some() {
                return Err("more than one root element".into());
            }
            stack.push(element);
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is never closed", open.name));
    }
    root.ok_or_else(|| "no root element".into())
}

#[test]
fn the_xml_reader_refuses_what_is_not_well_formed() {
    for bad in [
        "<a><b></a></b>",
        "<a>x < y</a>",
        "<a>&nbsp;</a>",
        "<a x='1'/>",
        "<a/><b/>",
        "<a>",
        "text",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    let root = parse("<?xml version=\"1.0\"?>\n<a n=\"&lt;&amp;\"><b/>t&gt;</a>\n").unwrap();
    assert_eq!(root.attribute("n"), Some("<&"));
    assert_eq!((root.children.len(), root.text.as_str()), (1, "t>"));
}
