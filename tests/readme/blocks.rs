//! The README's shell blocks, their commands and the claims of their comments.

/// A fenced `sh` block of the README.
pub struct Block {
    /// The README line of the opening fence.
    pub line: usize,
    /// Why the block cannot run here, from a `<!-- readme-test: skip: REASON -->` before it.
    pub skip: Option<String>,
    /// The arguments of its `cargo run --release -- serve ARGS` line, if it has one: the block
    /// gets a fresh mock of its own, started with them.
    pub serve: Option<Vec<String>>,
    pub commands: Vec<Command>,
}

/// One command: a line, with its `\` continuations, and the claim its comment makes.
pub struct Command {
    pub line: usize,
    pub text: String,
    /// The comment after the command, followed by any comment line under it that starts with
    /// `{` (an output written on a line of its own) or holds `as JSON: `.
    pub claim: String,
}

/// A ```` ```text ```` block that opens with `$ COMMAND`: a session, whose other lines are what
/// the command prints.
pub struct Transcript {
    pub line: usize,
    pub command: String,
    pub output: String,
}

const SKIP: &str = "<!-- readme-test: skip:";
const SERVE: &str = "cargo run --release -- serve";

/// Every `sh` block of `readme`, in order.
pub fn blocks(readme: &str) -> Vec<Block> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        if !matches!(lines[at], "```sh" | "```bash" | "```shell") {
            at += 1;
            continue;
        }
        let end = (at + 1..lines.len())
            .find(|&i| lines[i] == "```")
            .unwrap_or_else(|| panic!("README.md:{}: an unclosed block", at + 1));
        let before = lines[..at].iter().rev().find(|l| !l.trim().is_empty());
        let skip = before.and_then(|l| l.strip_prefix(SKIP)).map(|reason| {
            reason
                .trim()
                .strip_suffix("-->")
                .expect("a skip comment ends on its line")
                .trim()
                .to_owned()
        });
        let commands = commands(&lines[at + 1..end], at + 2);
        let serve = commands.iter().find_map(|c| {
            c.text
                .strip_prefix(SERVE)
                .map(|args| args.split_whitespace().map(str::to_owned).collect())
        });
        out.push(Block {
            line: at + 1,
            skip,
            serve,
            commands,
        });
        at = end + 1;
    }
    out
}

/// Every transcript of `readme`, in order.
pub fn transcripts(readme: &str) -> Vec<Transcript> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    for (at, fence) in lines.iter().enumerate() {
        let Some(command) = lines.get(at + 1).and_then(|l| l.strip_prefix("$ ")) else {
            continue;
        };
        if *fence != "```text" {
            continue;
        }
        let end = (at + 2..lines.len())
            .find(|&i| lines[i] == "```")
            .unwrap_or_else(|| panic!("README.md:{}: an unclosed block", at + 1));
        let output = lines[at + 2..end]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        out.push(Transcript {
            line: at + 1,
            command: command.to_owned(),
            output,
        });
    }
    out
}

/// The commands of a block's lines; `first` is the README line number of the first.
fn commands(lines: &[&str], first: usize) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = first + at;
        let mut text = String::new();
        let mut claim = String::new();
        loop {
            let (code, comment) = split_comment(lines[at]);
            at += 1;
            if !comment.is_empty() {
                claim = comment.to_owned();
            }
            match code.trim_end().strip_suffix('\\') {
                Some(head) if at < lines.len() => text.push_str(&format!("{head}\\\n")),
                _ => {
                    text.push_str(code.trim_end());
                    break;
                }
            }
        }
        if !text.trim().is_empty() {
            out.push(Command { line, text, claim });
        } else if (claim.starts_with('{') || claim.contains("as JSON: "))
            && let Some(last) = out.last_mut()
        {
            last.claim = format!("{} {claim}", last.claim).trim().to_owned();
        }
    }
    out
}

/// A line split at its comment: a `#` after white space (or at the start), outside quotes.
pub fn split_comment(line: &str) -> (&str, &str) {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '#') if previous.is_whitespace() => {
                return (&line[..i], line[i + 1..].trim());
            }
            _ => {}
        }
        previous = c;
    }
    (line, "")
}

#[test]
fn a_comment_starts_at_a_hash_outside_quotes() {
    assert_eq!(
        split_comment("curl x   # 404 ODP21001"),
        ("curl x   ", "404 ODP21001")
    );
    assert_eq!(
        split_comment("echo '# not' \"#\"  # yes"),
        ("echo '# not' \"#\"  ", "yes")
    );
    assert_eq!(split_comment("echo a#b"), ("echo a#b", ""));
    assert_eq!(split_comment("# only"), ("", "only"));
}

#[test]
fn continuations_join_and_output_lines_join_the_claim() {
    let text = "<!-- readme-test: skip: no -->\n\n```sh\nA=1\ncurl a \\\n  b   # 200\n# {\"x\":1}\n```\n```sh\n# lead\ncargo run --release -- serve --ocp-version 4.3.5\n```\n";
    let found = blocks(text);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].skip.as_deref(), Some("no"));
    assert_eq!(found[0].commands.len(), 2);
    assert_eq!(found[0].commands[1].text, "curl a \\\n  b");
    assert_eq!(found[0].commands[1].claim, "200 {\"x\":1}");
    assert_eq!(found[0].commands[1].line, 5);
    assert_eq!(
        found[1].serve.as_deref(),
        Some(&["--ocp-version".to_owned(), "4.3.5".to_owned()][..])
    );
}
