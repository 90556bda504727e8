//! A task's rollback and the calls on one of its subtasks: retry, skip, cancel and log.

use serde_json::{Value, json};

use crate::mock::api::{Call, Ctx, Data, Outcome};
use crate::mock::router::Params;
use crate::mock::state::{State, SubtaskCall};
use crate::ocp::version::OcpVersion;

/// `POST /api/v2/tasks/instances/{taskInstanceId}/rollback`: roll back a FAILED task's failed
/// subtasks; answers the task (a WrappedTaskInstance).
pub fn rollback_task(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let id = params.long("taskInstanceId")?;
    let task = state.rollback_task(
        ctx.templates,
        &ctx.settings.executor,
        id,
        call.stamp.arrival_ms,
    )?;
    Ok((200, Some(Data::Json(task))))
}

/// Runs one subtask call and answers the subtask as it stands after.
fn subtask_call(
    ctx: Ctx<'_>,
    state: &mut State,
    params: &Params,
    call: &Call,
    what: SubtaskCall,
) -> Result<Value, crate::ocp::error::OcpError> {
    let ids = (
        params.long("taskInstanceId")?,
        params.long("subtaskInstanceId")?,
    );
    let executor = &ctx.settings.executor;
    state.subtask_call(ctx.templates, executor, ids, what, call.stamp.arrival_ms)
}

/// `POST .../subtasks/{subtaskInstanceId}/retry`: run a FAILED subtask again; answers the
/// subtask (a SubtaskInstance), with `taskId` and `prohibitSkip` from OCP 4.3.5 on, as its
/// documented answer has them.
pub fn retry_subtask(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    let mut subtask = subtask_call(ctx, state, params, call, SubtaskCall::Retry)?;
    if ctx.settings.ocp_version >= OcpVersion::V4_3_5 {
        subtask["taskId"] = json!(params.long("taskInstanceId")?);
        if subtask.get("prohibitSkip").is_none() {
            subtask["prohibitSkip"] = json!(false);
        }
    }
    Ok((200, Some(Data::Json(subtask))))
}

/// `POST .../subtasks/{subtaskInstanceId}/skip`: mark a FAILED subtask SUCCESSFUL and let the
/// task go on; answers without `data`, as documented.
pub fn skip_subtask(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    subtask_call(ctx, state, params, call, SubtaskCall::Skip)?;
    Ok((200, None))
}

/// `POST .../subtasks/{subtaskInstanceId}/cancel`: stop a RUNNING or READY subtask, which is
/// then FAILED, and the task with it; answers without `data`, as documented.
pub fn cancel_subtask(ctx: Ctx<'_>, state: &mut State, params: &Params, call: &Call) -> Outcome {
    subtask_call(ctx, state, params, call, SubtaskCall::Cancel)?;
    Ok((200, None))
}

/// `GET .../subtasks/{subtaskInstanceId}/log`: `{"log": "..."}`, lines joined by `\n`.
pub fn subtask_log(ctx: Ctx<'_>, state: &mut State, params: &Params, _call: &Call) -> Outcome {
    let task_id = params.long("taskInstanceId")?;
    let subtask_id = params.long("subtaskInstanceId")?;
    let log = state.subtask_log(ctx.templates, &ctx.settings.executor, task_id, subtask_id)?;
    Ok((200, Some(Data::Json(json!({ "log": log })))))
}
