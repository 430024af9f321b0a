//! `zkmq serve` as a process: health, a live websocket, and a graceful
//! shutdown on SIGTERM that does not hang on open websockets.

mod common;

use common::{Server, open_ws, parse_server_frames, read_text_frame, start_server};
use std::io::Read;
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// Starts the console with a config whose only cluster does not exist
/// (this file is about the process, not the backends).
fn start() -> Server {
    start_server(
        "probe_interval_ms = 500\nbackend_timeout_ms = 300\n\n\
         [[rabbitmq]]\nid = \"gone\"\nname = \"Gone\"\nmanagement_url = \"http://127.0.0.1:1\"\nusername = \"u\"\npassword = \"p\"\n",
    )
}

fn open_overview_ws(port: u16) -> (TcpStream, String) {
    let (s, head) = open_ws(port, "/ws/overview");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let mut s = s;
    let payload = read_text_frame(&mut s);
    (s, payload)
}

#[test]
fn the_overview_websocket_streams_json_snapshots() {
    let server = start();
    let (_ws, first) = open_overview_ws(server.port);
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["probe_interval_ms"], 500);
    assert_eq!(v["clusters"][0]["cluster"]["id"], "gone");
    assert_eq!(v["clusters"][0]["cluster"]["backend"], "rabbitmq");
    // Connection details and credentials stay on the server.
    for key in ["management_url", "username", "password"] {
        assert!(!first.contains(key), "{key} reached the browser: {first}");
    }
}

#[test]
fn sigterm_stops_the_server_promptly_even_with_a_websocket_open() {
    let mut server = start();
    let (mut ws, _) = open_overview_ws(server.port);
    let pid = server.child.id().to_string();
    let sent = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = sent + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = server.child.try_wait().unwrap() {
            break st;
        }
        assert!(
            Instant::now() < deadline,
            "zkmq did not exit within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    // The websocket was closed by the server, not left dangling: the stream
    // ends (EOF, not the 5 s read timeout) within the deadline, and what came
    // after the first snapshot is more snapshots ending in a close frame.
    let mut rest = Vec::new();
    let read = ws.read_to_end(&mut rest);
    assert!(
        read.is_ok(),
        "the websocket did not end after the server exited: {read:?}"
    );
    assert!(sent.elapsed() < Duration::from_secs(10));
    let frames = parse_server_frames(&rest);
    let opcodes: Vec<u8> = frames.iter().map(|f| f.0).collect();
    assert_eq!(
        opcodes.last(),
        Some(&0x8),
        "no close frame from the server before EOF; frames after the first: {opcodes:?}"
    );
    assert!(
        opcodes[..opcodes.len() - 1].iter().all(|&o| o == 0x1),
        "only text frames may precede the close: {opcodes:?}"
    );
}
