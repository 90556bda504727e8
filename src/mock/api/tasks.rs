//! OCP's task routes: read a task (advanced per the task pace) and retry a failed one.

use http::Method;

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
        pattern: "/api/v2/tasks/instances/{taskInstanceId}",
        methods: &[(Method::GET, Handler::Ocp(get_task))],
    },
    Route {
        pattern: "/api/v2/tasks/instances/{taskInstanceId}/retry",
        methods: &[(Method::POST, Handler::Ocp(retry_task))],
    },
];
