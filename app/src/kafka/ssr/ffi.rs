//! The few librdkafka admin calls rust-rdkafka 0.39 does not wrap: a
//! group's committed offsets (all partitions, even for an empty group),
//! moving them, and the controller id. Each call is blocking: run it on a
//! blocking thread. Every pointer created here is destroyed here.

use rdkafka::bindings as rd;
use rdkafka::client::NativeClient;
use rdkafka::error::RDKafkaErrorCode;
use std::ffi::{CStr, CString};
use std::time::Duration;

/// A broker's refusal (its error code and text) or a local failure.
#[derive(Debug, Clone)]
pub struct FfiError {
    pub code: Option<RDKafkaErrorCode>,
    pub message: String,
}

fn cstr(p: *const std::os::raw::c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: librdkafka returns NUL-terminated strings that live as long as their owner.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

fn ms(d: Duration) -> i32 {
    d.as_millis().min(i32::MAX as u128) as i32
}

/// Owns the queue, options and result event of one admin request.
struct Request {
    queue: *mut rd::rd_kafka_queue_t,
    options: *mut rd::rd_kafka_AdminOptions_t,
    event: *mut rd::rd_kafka_event_t,
}

impl Request {
    /// # Safety
    /// `rk` must be a live client handle.
    unsafe fn new(rk: *mut rd::rd_kafka_t, op: rd::rd_kafka_admin_op_t, timeout: Duration) -> Self {
        unsafe {
            let options = rd::rd_kafka_AdminOptions_new(rk, op);
            let mut errbuf = [0 as std::os::raw::c_char; 256];
            rd::rd_kafka_AdminOptions_set_request_timeout(
                options,
                ms(timeout),
                errbuf.as_mut_ptr(),
                errbuf.len(),
            );
            Request {
                queue: rd::rd_kafka_queue_new(rk),
                options,
                event: std::ptr::null_mut(),
            }
        }
    }

    /// Waits for the result event; checks the request-level error.
    fn wait(&mut self, timeout: Duration) -> Result<(), FfiError> {
        // SAFETY: the queue is live until drop; the event is owned by self.
        unsafe {
            self.event = rd::rd_kafka_queue_poll(self.queue, ms(timeout) + 1_000);
            if self.event.is_null() {
                return Err(FfiError {
                    code: Some(RDKafkaErrorCode::RequestTimedOut),
                    message: format!("no answer within {} ms", timeout.as_millis()),
                });
            }
            let err = rd::rd_kafka_event_error(self.event);
            if err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return Err(FfiError {
                    code: Some(err.into()),
                    message: cstr(rd::rd_kafka_event_error_string(self.event)),
                });
            }
        }
        Ok(())
    }
}

impl Drop for Request {
    fn drop(&mut self) {
        // SAFETY: each pointer was created by librdkafka and is destroyed once.
        unsafe {
            if !self.event.is_null() {
                rd::rd_kafka_event_destroy(self.event);
            }
            rd::rd_kafka_AdminOptions_destroy(self.options);
            rd::rd_kafka_queue_destroy(self.queue);
        }
    }
}

/// The group's result of a group admin call: its error, or its partitions as
/// (topic, partition, offset, per-partition error).
///
/// # Safety
/// `groups`/`cnt` must come from a live result event.
unsafe fn group_partitions(
    groups: *mut *const rd::rd_kafka_group_result_t,
    cnt: usize,
) -> Result<Vec<(String, i32, i64)>, FfiError> {
    unsafe {
        if groups.is_null() || cnt == 0 {
            return Err(FfiError {
                code: None,
                message: "empty answer from the broker".into(),
            });
        }
        let g = *groups;
        let err = rd::rd_kafka_group_result_error(g);
        if !err.is_null() {
            return Err(FfiError {
                code: Some(rd::rd_kafka_error_code(err).into()),
                message: cstr(rd::rd_kafka_error_string(err)),
            });
        }
        let list = rd::rd_kafka_group_result_partitions(g);
        let mut out = Vec::new();
        if list.is_null() {
            return Ok(out);
        }
        let list = &*list;
        for i in 0..list.cnt.max(0) as usize {
            let e = &*list.elems.add(i);
            if e.err != rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                return Err(FfiError {
                    code: Some(e.err.into()),
                    message: format!(
                        "{}-{}: {}",
                        cstr(e.topic),
                        e.partition,
                        cstr(rd::rd_kafka_err2str(e.err))
                    ),
                });
            }
            out.push((cstr(e.topic), e.partition, e.offset));
        }
        Ok(out)
    }
}

/// Committed offsets of every partition the group has committed (offset
/// -1001 means "none"). Works for empty groups too (OffsetFetch, all topics).
pub fn list_group_offsets(
    client: &NativeClient,
    group: &str,
    timeout: Duration,
) -> Result<Vec<(String, i32, i64)>, FfiError> {
    let name = CString::new(group).map_err(|_| FfiError {
        code: None,
        message: "group name contains a NUL byte".into(),
    })?;
    // SAFETY: the borrowed client is alive for the call; all objects are freed by Request/here.
    let rk = client.ptr();
    unsafe {
        let mut req = Request::new(
            rk,
            rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
            timeout,
        );
        let mut one = rd::rd_kafka_ListConsumerGroupOffsets_new(name.as_ptr(), std::ptr::null());
        rd::rd_kafka_ListConsumerGroupOffsets(rk, &mut one, 1, req.options, req.queue);
        rd::rd_kafka_ListConsumerGroupOffsets_destroy(one);
        req.wait(timeout)?;
        let res = rd::rd_kafka_event_ListConsumerGroupOffsets_result(req.event);
        let mut cnt = 0usize;
        let groups = rd::rd_kafka_ListConsumerGroupOffsets_result_groups(res, &mut cnt);
        group_partitions(groups, cnt)
    }
}

/// Sets the group's committed offsets. The broker refuses (UNKNOWN_MEMBER_ID
/// or a "group not empty" code) while the group has members.
pub fn alter_group_offsets(
    client: &NativeClient,
    group: &str,
    offsets: &[(String, i32, i64)],
    timeout: Duration,
) -> Result<(), FfiError> {
    let name = CString::new(group).map_err(|_| FfiError {
        code: None,
        message: "group name contains a NUL byte".into(),
    })?;
    let topics: Vec<CString> = offsets
        .iter()
        .map(|(t, _, _)| CString::new(t.as_str()))
        .collect::<Result<_, _>>()
        .map_err(|_| FfiError {
            code: None,
            message: "topic name contains a NUL byte".into(),
        })?;
    // SAFETY: as above; the partition list is copied by _new and destroyed here.
    let rk = client.ptr();
    unsafe {
        let list = rd::rd_kafka_topic_partition_list_new(offsets.len() as i32);
        for ((_, p, o), t) in offsets.iter().zip(&topics) {
            let e = rd::rd_kafka_topic_partition_list_add(list, t.as_ptr(), *p);
            (*e).offset = *o;
        }
        let mut req = Request::new(
            rk,
            rd::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
            timeout,
        );
        let mut one = rd::rd_kafka_AlterConsumerGroupOffsets_new(name.as_ptr(), list);
        rd::rd_kafka_topic_partition_list_destroy(list);
        rd::rd_kafka_AlterConsumerGroupOffsets(rk, &mut one, 1, req.options, req.queue);
        rd::rd_kafka_AlterConsumerGroupOffsets_destroy(one);
        req.wait(timeout)?;
        let res = rd::rd_kafka_event_AlterConsumerGroupOffsets_result(req.event);
        let mut cnt = 0usize;
        let groups = rd::rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &mut cnt);
        group_partitions(groups, cnt).map(|_| ())
    }
}

/// The controller broker's id, if the client knows it within the timeout.
pub fn controller_id(client: &NativeClient, timeout: Duration) -> Option<i32> {
    // SAFETY: the borrowed client is alive for the call.
    let id = unsafe { rd::rd_kafka_controllerid(client.ptr(), ms(timeout)) };
    (id >= 0).then_some(id)
}
