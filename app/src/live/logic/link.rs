//! Live views as links: the query of `/kafka/:cluster/live` names the
//! topics, partitions, start and filter of a tail, that of
//! `/rabbitmq/:cluster/live` the exchange or queue a tap reads, so a reload
//! or a shared link reopens the same view. Parsing says which part is wrong
//! and why.

use crate::error::AppError;
use crate::fields::{parse_count, parse_time, url_segment};
use crate::kafka::model::MessageFilter;
use crate::live::model::{LiveFilter, LiveSource, TailStart};

/// Everything of a tail but its cluster (that is in the path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailLink {
    pub topics: Vec<String>,
    /// A regex over topic names (empty: none).
    pub pattern: String,
    pub partitions: Vec<i32>,
    pub start: TailStart,
    pub filter: MessageFilter,
    /// `name` or `name=value`.
    pub header: String,
}

impl TailLink {
    /// One topic, all partitions, from now, unfiltered.
    pub fn of_topic(topic: String) -> TailLink {
        TailLink {
            topics: vec![topic],
            pattern: String::new(),
            partitions: Vec::new(),
            start: TailStart::Now,
            filter: MessageFilter::None,
            header: String::new(),
        }
    }

    /// Reads a tail from the page's query (`get` looks a key up). No
    /// `topics`: no tail yet (`Ok(None)`), the page shows its form.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Result<Option<TailLink>, AppError> {
        let topics = split_list(&get("topics").unwrap_or_default());
        let pattern = get("pattern").unwrap_or_default().trim().to_string();
        if topics.is_empty() && pattern.is_empty() {
            return Ok(None);
        }
        let partitions = split_list(&get("partitions").unwrap_or_default())
            .into_iter()
            .map(|p| {
                p.parse::<i32>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                    AppError::invalid(
                        "partitions",
                        format!("\"{p}\" is not a partition number (0 or more); leave it empty for all partitions"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let start = parse_start(
            &get("start").unwrap_or_else(|| "now".into()),
            &get("n").unwrap_or_default(),
        )?;
        let (filter, header) = parse_filter(&get)?;
        Ok(Some(TailLink {
            topics,
            pattern,
            partitions,
            start,
            filter,
            header,
        }))
    }

    /// The query that reopens this tail (keys in a fixed order, defaults left out).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if !self.topics.is_empty() {
            q.push(("topics", self.topics.join(",")));
        }
        if !self.pattern.is_empty() {
            q.push(("pattern", self.pattern.clone()));
        }
        if !self.partitions.is_empty() {
            let p: Vec<String> = self.partitions.iter().map(i32::to_string).collect();
            q.push(("partitions", p.join(",")));
        }
        match &self.start {
            TailStart::Now => {}
            TailStart::LastPerPartition { n } => {
                q.push(("start", "last".into()));
                q.push(("n", n.to_string()));
            }
            TailStart::Time { ms } => {
                q.push(("start", "time".into()));
                q.push(("n", ms.to_string()));
            }
        }
        filter_query(&self.filter, &self.header, &mut q);
        q
    }

    /// The server-side filter of this tail.
    pub fn live_filter(&self) -> LiveFilter {
        live_filter(&self.filter, &self.header)
    }
}

/// The filter part of a live view's query: `filter` (none, substring,
/// regex, json), `text`, `field`, and `header`.
fn parse_filter(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(MessageFilter, String), AppError> {
    let text = get("text").unwrap_or_default();
    let filter = match get("filter").as_deref().unwrap_or("none") {
        "none" | "" => MessageFilter::None,
        "substring" => MessageFilter::Substring { text },
        "regex" => MessageFilter::Regex { pattern: text },
        "json" => MessageFilter::JsonField {
            field: get("field").unwrap_or_default(),
            value: text,
        },
        other => {
            return Err(AppError::invalid(
                "filter",
                format!("\"{other}\" is not a filter; use none, substring, regex or json"),
            ));
        }
    };
    Ok((filter, get("header").unwrap_or_default().trim().to_string()))
}

fn filter_query(filter: &MessageFilter, header: &str, q: &mut Vec<(&'static str, String)>) {
    match filter {
        MessageFilter::None => {}
        MessageFilter::Substring { text } => {
            q.push(("filter", "substring".into()));
            q.push(("text", text.clone()));
        }
        MessageFilter::Regex { pattern } => {
            q.push(("filter", "regex".into()));
            q.push(("text", pattern.clone()));
        }
        MessageFilter::JsonField { field, value } => {
            q.push(("filter", "json".into()));
            q.push(("field", field.clone()));
            q.push(("text", value.clone()));
        }
    }
    if !header.is_empty() {
        q.push(("header", header.to_string()));
    }
}

fn live_filter(filter: &MessageFilter, header: &str) -> LiveFilter {
    LiveFilter {
        message: (*filter != MessageFilter::None).then(|| filter.clone()),
        header: (!header.is_empty()).then(|| header.to_string()),
    }
}

fn href(base: String, query: Vec<(&'static str, String)>) -> String {
    let query: Vec<String> = query
        .into_iter()
        .map(|(k, v)| format!("{k}={}", url_segment(&v)))
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// What a RabbitMQ live view taps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TapTarget {
    /// An exchange; `keys` empty: everything its type routes.
    Exchange { name: String, keys: Vec<String> },
    /// A queue, through its own bindings.
    Queue(String),
}

/// A RabbitMQ live view as a link: `/rabbitmq/:cluster/live?vhost=…&exchange=…&keys=…`
/// or `…&queue=…`, with the same filter keys as a Kafka tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapLink {
    pub vhost: String,
    pub target: TapTarget,
    pub filter: MessageFilter,
    pub header: String,
}

impl TapLink {
    pub fn of(vhost: String, target: TapTarget) -> TapLink {
        TapLink {
            vhost,
            target,
            filter: MessageFilter::None,
            header: String::new(),
        }
    }

    /// Neither `exchange` nor `queue`: no tap yet (`Ok(None)`).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Result<Option<TapLink>, AppError> {
        let vhost = get("vhost").unwrap_or_else(|| "/".into());
        let exchange = get("exchange")
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty());
        let queue = get("queue")
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty());
        let target = match (exchange, queue) {
            (None, None) => return Ok(None),
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "queue",
                    "tap an exchange or a queue, not both: leave one empty",
                ));
            }
            (Some(name), None) => TapTarget::Exchange {
                name,
                keys: split_list(&get("keys").unwrap_or_default()),
            },
            (None, Some(q)) => TapTarget::Queue(q),
        };
        let (filter, header) = parse_filter(&get)?;
        Ok(Some(TapLink {
            vhost,
            target,
            filter,
            header,
        }))
    }

    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("vhost", self.vhost.clone())];
        match &self.target {
            TapTarget::Exchange { name, keys } => {
                q.push(("exchange", name.clone()));
                if !keys.is_empty() {
                    q.push(("keys", keys.join(",")));
                }
            }
            TapTarget::Queue(name) => q.push(("queue", name.clone())),
        }
        filter_query(&self.filter, &self.header, &mut q);
        q
    }

    pub fn source(&self, cluster: &str) -> LiveSource {
        let (cluster, vhost) = (cluster.to_string(), self.vhost.clone());
        match &self.target {
            TapTarget::Exchange { name, keys } => LiveSource::RabbitTap {
                cluster,
                vhost,
                exchange: name.clone(),
                binding_keys: keys.clone(),
            },
            TapTarget::Queue(queue) => LiveSource::RabbitQueue {
                cluster,
                vhost,
                queue: queue.clone(),
            },
        }
    }

    pub fn live_filter(&self) -> LiveFilter {
        live_filter(&self.filter, &self.header)
    }
}

/// `/rabbitmq/:cluster/live?…`: the page that opens `link` on `cluster`.
pub fn tap_href(cluster: &str, link: &TapLink) -> String {
    href(
        format!("/rabbitmq/{}/live", url_segment(cluster)),
        link.to_query(),
    )
}

/// `/kafka/:cluster/live?…`: the page that opens `link` on `cluster`.
pub fn tail_href(cluster: &str, link: &TailLink) -> String {
    href(
        format!("/kafka/{}/live", url_segment(cluster)),
        link.to_query(),
    )
}

/// `now`; `last` with N messages per partition; `time` with milliseconds
/// since the epoch or a UTC time (the message browser's formats).
pub fn parse_start(kind: &str, n: &str) -> Result<TailStart, AppError> {
    match kind {
        "now" | "" => Ok(TailStart::Now),
        "last" => Ok(TailStart::LastPerPartition {
            n: parse_count("n", n, 1, 10_000)? as u32,
        }),
        "time" => Ok(TailStart::Time {
            ms: parse_time("n", n)?,
        }),
        other => Err(AppError::invalid(
            "start",
            format!("\"{other}\" is not a start; use now, last or time"),
        )),
    }
}

/// `a, b,,c` → [a, b, c].
fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(q: &[(&str, &str)]) -> Result<Option<TailLink>, AppError> {
        let m: HashMap<String, String> = q
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TailLink::from_query(|k| m.get(k).cloned())
    }

    #[test]
    fn a_link_reopens_the_same_tail() {
        let links = [
            TailLink {
                topics: vec!["orders".into(), "payments".into()],
                pattern: String::new(),
                partitions: vec![0, 3],
                start: TailStart::LastPerPartition { n: 20 },
                filter: MessageFilter::JsonField {
                    field: "order.id".into(),
                    value: "7".into(),
                },
                header: "trace=abc".into(),
            },
            TailLink {
                topics: vec!["t".into()],
                pattern: String::new(),
                partitions: vec![],
                start: TailStart::Now,
                filter: MessageFilter::None,
                header: String::new(),
            },
            TailLink {
                topics: vec![],
                pattern: "^orders\\.(eu|us)$".into(),
                partitions: vec![],
                start: TailStart::Time {
                    ms: 1_700_000_000_000,
                },
                filter: MessageFilter::Regex {
                    pattern: "^a,b$".into(),
                },
                header: String::new(),
            },
        ];
        for link in links {
            let q = link.to_query();
            let back = parse(&q.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
            assert_eq!(back.unwrap(), Some(link));
        }
        assert_eq!(parse(&[]).unwrap(), None, "no topics: the form, no tail");
        let one = TailLink {
            topics: vec!["a b".into(), "c".into()],
            pattern: String::new(),
            partitions: vec![],
            start: TailStart::Now,
            filter: MessageFilter::Substring { text: "x&y".into() },
            header: String::new(),
        };
        assert_eq!(
            tail_href("local", &one),
            "/kafka/local/live?topics=a%20b%2Cc&filter=substring&text=x%26y"
        );
    }

    #[test]
    fn a_tap_link_reopens_the_same_tap() {
        let get = |q: Vec<(&'static str, String)>| {
            let m: HashMap<&str, String> = q.into_iter().collect();
            TapLink::from_query(|k| m.get(k).cloned())
        };
        for link in [
            TapLink {
                vhost: "/".into(),
                target: TapTarget::Exchange {
                    name: "orders".into(),
                    keys: vec!["eu.*".into(), "us.#".into()],
                },
                filter: MessageFilter::Substring {
                    text: "paid".into(),
                },
                header: "n=3".into(),
            },
            TapLink::of("prod".into(), TapTarget::Queue("q 1".into())),
        ] {
            assert_eq!(get(link.to_query()).unwrap(), Some(link));
        }
        let x = TapLink::of(
            "/".into(),
            TapTarget::Exchange {
                name: "amq.topic".into(),
                keys: vec![],
            },
        );
        assert_eq!(
            tap_href("local", &x),
            "/rabbitmq/local/live?vhost=%2F&exchange=amq.topic"
        );
        assert_eq!(
            get(vec![("vhost", "/".into())]).unwrap(),
            None,
            "nothing named: the form"
        );
        assert!(matches!(
            get(vec![("exchange", "x".into()), ("queue", "q".into())]),
            Err(AppError::Invalid { field, .. }) if field == "queue"
        ));
    }

    #[test]
    fn a_bad_link_names_its_field() {
        let field = |q: &[(&str, &str)]| match parse(q) {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(
            field(&[("topics", "t"), ("partitions", "0,x")]),
            "partitions"
        );
        assert_eq!(
            field(&[("topics", "t"), ("partitions", "-1")]),
            "partitions"
        );
        assert_eq!(field(&[("topics", "t"), ("start", "later")]), "start");
        assert_eq!(
            field(&[("topics", "t"), ("start", "last"), ("n", "0")]),
            "n"
        );
        assert_eq!(
            field(&[("topics", "t"), ("start", "time"), ("n", "soon")]),
            "n"
        );
        assert_eq!(field(&[("topics", "t"), ("filter", "fuzzy")]), "filter");
        let t = parse(&[
            ("topics", "t"),
            ("start", "time"),
            ("n", "2026-12-03T10:00:00Z"),
        ])
        .unwrap();
        assert!(matches!(t.unwrap().start, TailStart::Time { ms } if ms > 0));
    }
}
