//! `/ensemble/:cluster`: the ensemble graph, quorum health, member figures
//! with sparklines, the leader history and the Kafka panel. Server-rendered
//! from the monitor's snapshot, then live over `/ws/ensemble/<cluster>`.

use super::api::{HISTORY_LIMIT, get_ensemble_snapshot, list_leader_changes};
use super::logic::{
    format_bytes, format_duration_ms, format_lag, quorum_summary, sparkline_points, zxid_counter,
    zxid_epoch,
};
use super::model::{
    EnsembleSnapshot, KafkaInZk, LeaderChange, LearnerType, MemberSeries, MemberState, QuorumState,
    Role, ensemble_ws_path,
};
use crate::clusters::logic::format_latency;
use crate::components::{
    ErrorBanner, LiveOrFirst, LiveState, TableHead, error_banners, use_live_json,
};
use crate::zookeeper::logic::{format_zxid, znode_href};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EnsemblePage() -> impl IntoView {
    let cluster = crate::components::cluster_param();
    view! {
        <Title text=move || format!("Ensemble {} · zkmq", cluster.get()) />
        // Keyed on the cluster: switching ensembles closes the old socket.
        {move || view! { <EnsembleLive cluster=cluster.get() /> }}
    }
}

#[component]
fn EnsembleLive(cluster: String) -> impl IntoView {
    let c = cluster.clone();
    let initial = Resource::new(|| (), move |_| get_ensemble_snapshot(c.clone()));
    let (live, live_state) = use_live_json::<EnsembleSnapshot>(ensemble_ws_path(&cluster));
    let version = Memo::new(move |_| live.with(|l| l.as_ref().map(|s| s.history_version)));
    let c = cluster.clone();
    let history = Resource::new(
        move || version.get(),
        move |_| list_leader_changes(c.clone(), HISTORY_LIMIT),
    );
    let zk = cluster.clone();
    view! {
        <LiveOrFirst
            initial=initial
            live=live
            render=move |snap: EnsembleSnapshot| {
                view! { <Ensemble snap=snap zk=zk.clone() live=live_state.get() /> }
            }
        />
        <section aria-labelledby="history-h" class="mt-8">
            <h2 id="history-h" class="mb-2 text-lg font-semibold">"Leader history"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                <ErrorBoundary fallback=error_banners>
                    {move || history.get().map(|r| r.map(|changes| view! { <Timeline changes=changes /> }))}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn Ensemble(snap: EnsembleSnapshot, zk: String, live: LiveState) -> impl IntoView {
    let q = snap.quorum;
    let health = quorum_summary(&q);
    let (tone, banner) = match q.state {
        QuorumState::Healthy if q.can_lose > 0 => (
            "border-emerald-600 bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
            None,
        ),
        QuorumState::Healthy
        | QuorumState::Electing
        | QuorumState::Unknown
        | QuorumState::Standalone => (
            "border-amber-500 bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-100",
            None,
        ),
        QuorumState::Lost => (
            "border-red-600 bg-red-50 text-red-900 dark:bg-red-950 dark:text-red-100",
            Some(format!(
                "ZooKeeper ensemble \"{}\" has lost its quorum: clients cannot read or write until {} voting members are up.",
                snap.cluster.id, q.needed
            )),
        ),
    };
    let leader_text = match (&snap.leader, snap.epoch) {
        (Some(l), Some(e)) => {
            let title = snap
                .members
                .iter()
                .find(|m| &m.address == l)
                .map(|m| m.title())
                .unwrap_or_else(|| l.clone());
            format!("Leader: {title} (epoch {e})")
        }
        _ => "Leader: none".to_string(),
    };
    let series = snap.series.clone();
    view! {
        <div class="mb-4 flex flex-wrap items-baseline justify-between gap-2">
            <h1 class="text-2xl font-semibold">{snap.cluster.name.clone()}</h1>
            <p class="text-sm text-slate-600 dark:text-slate-400">
                {format!("ensemble \"{}\" · members from {} · probed every {} ms · ", snap.cluster.id, snap.membership, snap.probe_interval_ms)}
                <span aria-label="Live state">{live.label()}</span>
                {format!(" · {}", snap.at.get(11..19).unwrap_or(&snap.at))}
            </p>
        </div>
        {banner.map(|m| view! { <ErrorBanner message=m /> })}
        <div class=format!("mb-4 rounded border-l-4 p-3 {tone}")>
            <p role="status" aria-label="Quorum" class="font-medium">{health}</p>
            <p role="status" aria-label="Leader" class="text-sm">{leader_text}</p>
        </div>
        <EnsembleGraph members=snap.members.clone() />
        {(!snap.blind_spots.is_empty()).then(|| view! {
            <section aria-label="What zkmq cannot see" class="my-4 rounded border border-amber-400 p-3 text-sm">
                <h2 class="font-semibold">"Not visible"</h2>
                <ul class="list-disc pl-5">
                    {snap.blind_spots.iter().map(|b| view! { <li>{b.clone()}</li> }).collect_view()}
                </ul>
            </section>
        })}
        <MemberTable members=snap.members.clone() series=series />
        <KafkaPanels kafka=snap.kafka.clone() zk=zk />
    }
    .into_any()
}

/// Fill and stroke per role (Tailwind classes; work in both themes).
fn role_classes(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Leader => (
            "fill-emerald-100 dark:fill-emerald-900",
            "stroke-emerald-600",
        ),
        Role::Follower => ("fill-sky-100 dark:fill-sky-900", "stroke-sky-600"),
        Role::Observer => ("fill-violet-100 dark:fill-violet-900", "stroke-violet-600"),
        Role::Standalone => (
            "fill-emerald-100 dark:fill-emerald-900",
            "stroke-emerald-600",
        ),
        Role::NotServing => ("fill-amber-100 dark:fill-amber-900", "stroke-amber-600"),
        Role::Unknown => ("fill-slate-100 dark:fill-slate-800", "stroke-slate-500"),
        Role::Unreachable => ("fill-slate-200 dark:fill-slate-900", "stroke-red-600"),
    }
}

const NODE_W: f64 = 210.0;
const NODE_H: f64 = 78.0;
const GAP: f64 = 24.0;

/// The ensemble as a picture: the leader on top, the other members below
/// it (observers last, dashed links), unreachable ones crossed out.
#[component]
fn EnsembleGraph(members: Vec<MemberState>) -> impl IntoView {
    let leader_idx = members
        .iter()
        .position(|m| m.figures.role == Some(Role::Leader));
    let mut others: Vec<&MemberState> = members
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != leader_idx)
        .map(|(_, m)| m)
        .collect();
    others.sort_by_key(|m| (m.learner_type == Some(LearnerType::Observer), m.server_id));
    let n = others.len().max(1) as f64;
    let width = (n * (NODE_W + GAP) + GAP).max(NODE_W + 2.0 * GAP);
    let height = if leader_idx.is_some() {
        2.0 * NODE_H + 3.0 * GAP + 20.0
    } else {
        NODE_H + 2.0 * GAP
    };
    let row_y = if leader_idx.is_some() {
        NODE_H + 2.0 * GAP + 20.0
    } else {
        GAP
    };
    let leader_pos = ((width - NODE_W) / 2.0, GAP);
    let positions: Vec<(f64, f64)> = (0..others.len())
        .map(|i| {
            let total = others.len() as f64 * (NODE_W + GAP) - GAP;
            ((width - total) / 2.0 + i as f64 * (NODE_W + GAP), row_y)
        })
        .collect();
    let links = leader_idx.map(|_| {
        others
            .iter()
            .zip(&positions)
            .filter(|(m, _)| m.role().is_serving())
            .map(|(m, (x, y))| {
                let dashed = m.figures.role == Some(Role::Observer);
                view! {
                    <line
                        x1=leader_pos.0 + NODE_W / 2.0
                        y1=leader_pos.1 + NODE_H
                        x2=x + NODE_W / 2.0
                        y2=*y
                        class="stroke-slate-400"
                        stroke-width="2"
                        stroke-dasharray=if dashed { "6 4" } else { "" }
                    />
                }
            })
            .collect_view()
    });
    let desc = members
        .iter()
        .map(|m| format!("{} {}", m.title(), m.role().label()))
        .collect::<Vec<_>>()
        .join("; ");
    let nodes = leader_idx
        .map(|i| (members[i].clone(), leader_pos))
        .into_iter()
        .chain(
            others
                .iter()
                .map(|m| (*m).clone())
                .zip(positions.iter().copied()),
        )
        .map(|(m, (x, y))| view! { <GraphNode member=m x=x y=y /> })
        .collect_view();
    view! {
        <figure class="my-4 overflow-x-auto">
            <svg
                role="img"
                aria-labelledby="graph-title graph-desc"
                viewBox=format!("0 0 {width} {height}")
                width=width
                class="mx-auto max-w-full"
                style=format!("min-width: {}px", (width * 0.6) as u32)
            >
                <title id="graph-title">"Ensemble members and their roles"</title>
                <desc id="graph-desc">{desc}</desc>
                {links}
                {nodes}
            </svg>
        </figure>
    }
}

#[component]
fn GraphNode(member: MemberState, x: f64, y: f64) -> impl IntoView {
    let role = member.role();
    let (fill, stroke) = role_classes(role);
    let down = role == Role::Unreachable;
    let line2 = match member.learner_type {
        Some(LearnerType::Observer) if role != Role::Observer => {
            format!("{} (observer)", role.label())
        }
        _ => role.label().to_string(),
    };
    let line3 = if role.is_serving() {
        format!(
            "{} · avg {}",
            format_lag(member.lag),
            format_latency(member.figures.latency_avg)
        )
    } else {
        member
            .error
            .clone()
            .unwrap_or_default()
            .chars()
            .take(34)
            .collect()
    };
    let line4 = if role.is_serving() {
        format!(
            "{} conns · {} znodes",
            member
                .figures
                .connections
                .map(|c| c.to_string())
                .unwrap_or_else(|| "—".into()),
            member
                .figures
                .znode_count
                .map(|c| c.to_string())
                .unwrap_or_else(|| "—".into()),
        )
    } else {
        String::new()
    };
    view! {
        <g aria-label=format!("{} {}", member.title(), role.label())>
            <rect
                x=x
                y=y
                width=NODE_W
                height=NODE_H
                rx="8"
                class=format!("{fill} {stroke}")
                stroke-width=if role == Role::Leader { "3" } else { "1.5" }
                stroke-dasharray=if down { "5 4" } else { "" }
            />
            <text x=x + 10.0 y=y + 20.0 class="fill-current text-[13px] font-semibold">{member.title()}</text>
            <text x=x + 10.0 y=y + 38.0 class="fill-current text-[12px]">{line2}</text>
            <text x=x + 10.0 y=y + 54.0 class="fill-current text-[11px]">{line3}</text>
            <text x=x + 10.0 y=y + 69.0 class="fill-current text-[11px]">{line4}</text>
        </g>
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

#[component]
fn MemberTable(members: Vec<MemberState>, series: Vec<MemberSeries>) -> impl IntoView {
    view! {
        // Nine columns fit 1280 px with the sparklines in view; narrower
        // windows scroll this region (focusable, so the keyboard can too).
        <div class="overflow-x-auto" role="region" aria-label="Ensemble members" tabindex="0">
            <table class="mt-2 w-full border-collapse text-left text-sm">
                <caption class="sr-only">"Ensemble members"</caption>
                <TableHead columns=&[
                    "Member", "Role", "Zxid", "Latency min/avg/max", "Outstanding", "Connections",
                    "Znodes", "Watches", "Last 15 min",
                ] />
                <tbody>
                    {members
                        .into_iter()
                        .map(|m| {
                            let s = series.iter().find(|s| s.address == m.address).cloned().unwrap_or_default();
                            view! { <MemberRow member=m series=s /> }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn MemberRow(member: MemberState, series: MemberSeries) -> impl IntoView {
    let role = member.role();
    let kind = match member.learner_type {
        Some(LearnerType::Participant) => "participant",
        Some(LearnerType::Observer) => "observer",
        None => "not in /zookeeper/config",
    };
    let source = member
        .source
        .map(|s| format!(" · via {}", s.label()))
        .unwrap_or_default();
    let latency = match (
        member.figures.latency_min,
        member.figures.latency_avg,
        member.figures.latency_max,
    ) {
        (Some(a), Some(b), Some(c)) => format!("{a}/{b:.1}/{c} ms"),
        _ => "—".into(),
    };
    let error = member.error.clone().filter(|_| !role.is_serving());
    let zxid = member.figures.zxid.map(|z| {
        (
            format_zxid(z as i64),
            format!("epoch {}, counter {}", zxid_epoch(z), zxid_counter(z)),
        )
    });
    let version = match (&member.figures.version, member.figures.uptime_ms) {
        (Some(v), Some(u)) => format!("{v} · up {}", format_duration_ms(u)),
        (Some(v), None) => v.clone(),
        _ => "—".into(),
    };
    let small = "block text-xs text-slate-600 dark:text-slate-400";
    let cell = "py-2 pr-3 font-mono whitespace-nowrap";
    view! {
        <tr class="border-b border-slate-200 align-top dark:border-slate-800" aria-label=member.address.clone()>
            <th scope="row" class="py-2 pr-3 font-mono font-normal whitespace-nowrap">
                {member.title()}
                <span class=small>{version}</span>
            </th>
            <td class="py-2 pr-3">
                <span aria-label="Role" class="font-medium">{role.label()}</span>
                <span class=small>{format!("{kind}{source}")}</span>
                {member.slow.synced_followers.map(|n| view! { <span class=small>{format!("{n} synced followers")}</span> })}
                {error.map(|e| view! { <span class="block text-xs text-red-700 dark:text-red-300">{e}</span> })}
            </td>
            <td class=cell>
                {match zxid {
                    Some((hex, parts)) => view! { <span title=parts>{hex}</span> }.into_any(),
                    None => "—".into_any(),
                }}
                <span class=small>{format_lag(member.lag)}</span>
            </td>
            <td class=cell>{latency}</td>
            <td class=cell>{opt(member.figures.outstanding)}</td>
            <td class=cell>{opt(member.figures.connections)}</td>
            <td class=cell>
                {opt(member.figures.znode_count)}
                {member.slow.approximate_data_size.map(|b| view! { <span class=small>{format_bytes(b)}</span> })}
            </td>
            <td class=cell>{opt(member.slow.watch_count)}</td>
            <td class="py-2"><Sparklines series=series /></td>
        </tr>
    }
}

/// Latency (average per 10 s) and outstanding requests (peak per 10 s).
#[component]
fn Sparklines(series: MemberSeries) -> impl IntoView {
    let lat: Vec<Option<f64>> = series.points.iter().map(|p| p.latency_avg).collect();
    let out: Vec<Option<f64>> = series
        .points
        .iter()
        .map(|p| p.outstanding.map(|o| o as f64))
        .collect();
    let max_lat = lat.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
    let max_out = out.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
    let spark = |values: &[Option<f64>], label: String, class: &'static str| {
        let title = label.clone();
        view! {
            <svg role="img" aria-label=label width="120" height="22" viewBox="0 0 120 22" class="block">
                <title>{title}</title>
                <polyline points=sparkline_points(values, 120.0, 22.0, 1.0) fill="none" stroke-width="1.5" class=class />
            </svg>
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            {spark(&lat, format!("average latency, last 15 minutes, peak {max_lat:.1} ms"), "stroke-sky-600")}
            {spark(&out, format!("outstanding requests, last 15 minutes, peak {max_out:.0}"), "stroke-amber-600")}
        </div>
    }
}

#[component]
fn Timeline(changes: Vec<LeaderChange>) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p class="text-sm text-slate-600 dark:text-slate-400">"No leader change seen since zkmq started watching this ensemble."</p> }.into_any();
    }
    let who = |l: &Option<String>, e: Option<u32>| match (l, e) {
        (Some(l), Some(e)) => format!("{l} (epoch {e})"),
        (Some(l), None) => l.clone(),
        (None, _) => "unknown".into(),
    };
    view! {
        <ol aria-label="Leader history" class="border-l-2 border-slate-300 pl-4 text-sm dark:border-slate-700">
            {changes
                .into_iter()
                .map(|c| {
                    let what = if c.ongoing {
                        format!("{} lost; no leader yet", who(&c.old_leader, c.old_epoch))
                    } else {
                        format!("{} → {}", who(&c.old_leader, c.old_epoch), who(&c.new_leader, c.new_epoch))
                    };
                    let gap = match (c.ongoing, c.leaderless_ms) {
                        (true, _) => "election in progress or quorum lost".to_string(),
                        (false, Some(0)) => "switched between two probes".to_string(),
                        (false, Some(ms)) => format!("no leader for {}", format_duration_ms(ms)),
                        (false, None) => "while zkmq was not watching".to_string(),
                    };
                    view! {
                        <li class="mb-2">
                            <time class="font-mono text-slate-600 dark:text-slate-400">{c.at.replace('T', " ")}</time>
                            <span class="ml-2">{what}</span>
                            <span class="ml-2 text-slate-600 dark:text-slate-400">{format!("({gap})")}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn KafkaPanels(kafka: Vec<KafkaInZk>, zk: String) -> impl IntoView {
    if kafka.is_empty() {
        return ().into_any();
    }
    view! {
        {kafka.into_iter().map(|k| view! { <KafkaPanel kafka=k zk=zk.clone() /> }).collect_view()}
    }
    .into_any()
}

/// A ZooKeeper-mode Kafka cluster registered in this ensemble.
#[component]
fn KafkaPanel(kafka: KafkaInZk, zk: String) -> impl IntoView {
    let heading = format!("Kafka registered at {}", kafka.chroot);
    let ids_path = super::logic::chroot_path(&kafka.chroot, "brokers/ids");
    let controller = kafka.controller;
    let link = kafka.linked.clone().map(|c| {
        view! { <a class="underline" href=c.href()>{format!("open Kafka cluster \"{}\"", c.name)}</a> }
    });
    view! {
        <section aria-label=heading.clone() class="mt-8">
            <h2 class="mb-1 text-lg font-semibold">{heading.clone()}</h2>
            <p class="mb-2 text-sm text-slate-600 dark:text-slate-400">
                {format!(
                    "cluster id {} · {} brokers · controller {} · ",
                    kafka.cluster_id.clone().unwrap_or_else(|| "unknown".into()),
                    kafka.brokers.len(),
                    controller.map(|c| c.to_string()).unwrap_or_else(|| "none".into()),
                )}
                <a class="underline" href=znode_href(&zk, &ids_path)>"metadata in the explorer"</a>
                {link.map(|l| view! { " · " {l} })}
                {kafka.linked.is_none().then_some(" · not configured in zkmq")}
            </p>
            <table class="w-full border-collapse text-left text-sm">
                <caption class="sr-only">{format!("Brokers of the Kafka cluster at {}", kafka.chroot)}</caption>
                <TableHead columns=&["Broker", "Host", "Rack", "Endpoints", "Controller"] />
                <tbody>
                    {kafka
                        .brokers
                        .into_iter()
                        .map(|b| {
                            let host = match (&b.host, b.port) {
                                (Some(h), Some(p)) => format!("{h}:{p}"),
                                _ => "—".into(),
                            };
                            let path = format!("{ids_path}/{}", b.id);
                            view! {
                                <tr class="border-b border-slate-200 dark:border-slate-800" aria-label=format!("broker {}", b.id)>
                                    <th scope="row" class="py-2 pr-3 font-mono font-normal">
                                        <a class="underline" href=znode_href(&zk, &path)>{b.id}</a>
                                    </th>
                                    <td class="py-2 pr-3 font-mono">{host}</td>
                                    <td class="py-2 pr-3">{b.rack.unwrap_or_else(|| "—".into())}</td>
                                    <td class="py-2 pr-3 font-mono wrap-anywhere">{b.endpoints.join(", ")}</td>
                                    <td class="py-2">{if controller == Some(b.id) { "controller" } else { "" }}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
