//! OCP's task routes: list tasks ([`list`]), read a task (advanced per the task pace), retry or
//! roll back a failed one, and retry, skip, cancel or read the log of one subtask
//! ([`subtasks`]).

mod list;
mod subtasks;

use http::Method;

use list::list_tasks;
use subtasks::{cancel_subtask, retry_subtask, rollback_task, skip_subtask, subtask_log};

use crate::mock::api::{Call, Ctx, Data, Handler, Outcome};
use crate::mock::router::{Params, Route};
use crate::mock::state::State;

/// `GET /api/v2/tasks/instances/{taskInstanceId}`: the task, advanced per the task pace.
pub fn get_task(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let id = params.long("taskInstanceId")?;
    let task = state.query_task(
        ctx.templates,
        &ctx.settings.executor,
        id,
        ctx.settings.task_pace,
        call.stamp.arrival_ms,
    )?;
    Ok((200, Some(Data::Json(task))))
}

/// `POST /api/v2/tasks/instances/{taskInstanceId}/retry`: resume a FAILED task.
pub fn retry_task(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let id = params.long("taskInstanceId")?;
    let task = state.retry_task(
        ctx.templates,
        &ctx.settings.executor,
        id,
        call.stamp.arrival_ms,
    )?;
    Ok((200, Some(Data::Json(task))))
}

/// The task family's routes.
pub const ROUTES: &[Route<Handler>] = &[
    Route {
        pattern: "/api/v2/tasks/instances",
        methods: &[(Method::GET, Handler::Ocp(list_tasks))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}",
        methods: &[(Method::GET, Handler::Ocp(get_task))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/retry",
        methods: &[(Method::POST, Handler::Ocp(retry_task))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/rollback",
        methods: &[(Method::POST, Handler::Ocp(rollback_task))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/retry",
        methods: &[(Method::POST, Handler::Ocp(retry_subtask))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/skip",
        methods: &[(Method::POST, Handler::Ocp(skip_subtask))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/cancel",
        methods: &[(Method::POST, Handler::Ocp(cancel_subtask))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/subtasks/{subtaskInstanceId}/log",
        methods: &[(Method::GET, Handler::Ocp(subtask_log))],
    },
];
