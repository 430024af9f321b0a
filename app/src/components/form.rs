//! The one form pattern: submit a server call, show that it is pending, then
//! the success line or the typed error — and mark the field an
//! `AppError::Invalid` names (`aria-invalid`, the reason under the field).

use super::ErrorBanner;
use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// One form's submission state. `Copy`, so every closure of the form can hold it.
#[derive(Clone, Copy)]
pub struct Form {
    done: RwSignal<Option<String>>,
    error: RwSignal<Option<AppError>>,
    pending: RwSignal<bool>,
    /// The fields this form shows (as named by `AppError::Invalid`): an
    /// error naming one is shown at that field only, not again in a banner.
    fields: StoredValue<Vec<&'static str>>,
}

impl Default for Form {
    fn default() -> Self {
        Self::new()
    }
}

impl Form {
    pub fn new() -> Self {
        Form {
            done: RwSignal::new(None),
            error: RwSignal::new(None),
            pending: RwSignal::new(false),
            fields: StoredValue::new(Vec::new()),
        }
    }

    /// Notes that the form shows `field` (done by the field components).
    pub fn register(&self, field: &'static str) {
        if !field.is_empty() {
            self.fields.update_value(|f| {
                if !f.contains(&field) {
                    f.push(field)
                }
            });
        }
    }

    /// The last error, unless it names a field the form shows (tracked).
    pub fn error_elsewhere(&self) -> Option<AppError> {
        let fields = self.fields;
        self.error.with(|e| match e {
            Some(AppError::Invalid { field, .. })
                if fields.with_value(|f| f.contains(&field.as_str())) =>
            {
                None
            }
            other => other.clone(),
        })
    }

    /// Whether a submission is running (tracked).
    pub fn pending(&self) -> bool {
        self.pending.get()
    }

    /// The success line of the last submission (tracked).
    pub fn done(&self) -> Option<String> {
        self.done.get()
    }

    /// The error of the last submission (tracked).
    pub fn error(&self) -> Option<AppError> {
        self.error.get()
    }

    /// Forgets the last outcome (e.g. when the user edits the form again).
    pub fn clear(&self) {
        self.done.set(None);
        self.error.set(None);
    }

    /// Shows how a call ended: on success the line `on_ok` returns (it may
    /// also bump a refresh), on failure the error, each clearing the other.
    pub fn settle<T>(&self, result: Result<T, AppError>, on_ok: impl FnOnce(T) -> String) {
        self.pending.set(false);
        match result {
            Ok(v) => {
                self.error.set(None);
                self.done.set(Some(on_ok(v)));
            }
            Err(e) => {
                self.done.set(None);
                self.error.set(Some(e));
            }
        }
    }

    /// Runs `call` (a server function's future) unless one is already
    /// running, then settles its result.
    pub fn submit<T, Fut>(&self, call: Fut, on_ok: impl FnOnce(T) -> String + 'static)
    where
        T: 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        let form = *self;
        leptos::task::spawn_local(async move {
            let result = call.await;
            form.settle(result, on_ok);
        });
    }

    /// Marks the form as running; for callers that drive their own future
    /// (an `Action`) and call [`Form::settle`] at the end.
    pub fn start(&self) {
        self.clear();
        self.pending.set(true);
    }

    /// The reason the last error gives for `field`, if it names that field (tracked).
    pub fn reason_for(&self, field: &str) -> Option<String> {
        self.error.with(|e| match e {
            Some(AppError::Invalid { field: f, reason }) if f == field => Some(reason.clone()),
            _ => None,
        })
    }
}

/// The outcome of a form: "Working…" while pending, then the success line
/// (`role="status"`) or the error banner (`role="alert"`) — unless the error
/// names one of the form's fields, which then says it (see [`FieldError`]).
#[component]
pub fn FormStatus(form: Form) -> impl IntoView {
    view! {
        {move || form.pending().then(|| view! { <p role="status" class="mt-2 text-sm text-slate-600 dark:text-slate-400">"Working…"</p> })}
        {move || form.done().map(|d| view! { <p role="status" class="mt-2 text-sm">{d}</p> })}
        {move || form.error_elsewhere().map(|e| match e {
            AppError::Unauthenticated(_) => view! { <super::SessionEnded /> }.into_any(),
            e => view! { <ErrorBanner message=e.to_string() /> }.into_any(),
        })}
    }
}

/// The reason under a field that the form's last error named, with the id
/// the field's `aria-describedby` points at.
#[component]
pub fn FieldError(form: Form, field: &'static str, id: String) -> impl IntoView {
    view! {
        {move || form.reason_for(field).map(|r| view! {
            <span id=id.clone() role="alert" class="text-xs text-red-800 dark:text-red-300">{r}</span>
        })}
    }
}
