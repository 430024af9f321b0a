//! `zkmq serve` as a process: health, a live websocket, and a graceful
//! shutdown on SIGTERM that does not hang on open websockets.

mod common;

use common::{Server, start_server};
use std::io::{Read, Write};
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

/// Opens `/ws/overview` with a hand-written handshake and returns the socket
/// after the 101 answer and the first frame's payload.
fn open_overview_ws(port: u16) -> (TcpStream, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET /ws/overview HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut b).unwrap();
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let payload = read_text_frame(&mut s);
    (s, payload)
}

fn read_text_frame(s: &mut TcpStream) -> String {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).unwrap();
    assert_eq!(
        h[0] & 0x0f,
        1,
        "expected a text frame, got opcode {}",
        h[0] & 0x0f
    );
    let len = match h[1] & 0x7f {
        126 => {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).unwrap();
            u16::from_be_bytes(l) as usize
        }
        127 => {
            let mut l = [0u8; 8];
            s.read_exact(&mut l).unwrap();
            u64::from_be_bytes(l) as usize
        }
        n => n as usize,
    };
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
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
    // The websocket was closed by the server (close frame or EOF), not left dangling.
    let mut rest = Vec::new();
    let _ = ws.read_to_end(&mut rest);
    assert!(sent.elapsed() < Duration::from_secs(10));
}
