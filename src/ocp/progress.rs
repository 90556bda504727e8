//! How a task moves through its DAG after it was created, as OCP's task query shows it.
//!
//! A subtask runs only once all its upstreams succeeded: PENDING -> READY -> RUNNING ->
//! SUCCESSFUL (or FAILED). The task is SUCCESSFUL when its exit subtask is, FAILED as soon as a
//! subtask fails. The pace is a setting: a number of steps per query (deterministic whatever the
//! wall clock) or a duration per subtask on the mock's clock.

use serde_json::{Map, Value, json};

use super::clock::format_time;

/// How fast tasks progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskPace {
    /// Each query of a task advances it by this many steps.
    Polls(u32),
    /// Each subtask runs for this many milliseconds of the mock's clock.
    Time(i64),
}

impl Default for TaskPace {
    fn default() -> Self {
        Self::Polls(4)
    }
}

impl std::str::FromStr for TaskPace {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not polls:N or time:MS (N >= 1, MS >= 0)");
        match s.split_once(':') {
            Some(("polls", n)) => match n.parse::<u32>() {
                Ok(n) if n >= 1 => Ok(Self::Polls(n)),
                _ => Err(bad()),
            },
            Some(("time", ms)) => match ms.parse::<i64>() {
                Ok(ms) if ms >= 0 => Ok(Self::Time(ms)),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Ready,
    Running,
    Failed,
    Successful,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Ready => "READY",
            Self::Running => "RUNNING",
            Self::Failed => "FAILED",
            Self::Successful => "SUCCESSFUL",
        }
    }
}

#[derive(Debug, Clone)]
struct Node {
    name: String,
    upstreams: Vec<usize>,
    status: Status,
    /// When the subtask became READY or started RUNNING: the time pace counts from it.
    since_ms: i64,
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Running,
    Failed,
    Successful,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::Failed => "FAILED",
            Self::Successful => "SUCCESSFUL",
        }
    }
}

/// A task after creation: its `data` as OCP shows it, kept up to date as it progresses.
#[derive(Debug, Clone)]
pub struct TaskRun {
    pub id: i64,
    pub cluster_id: i64,
    /// The OBProxy servers it deletes.
    pub servers: Vec<i64>,
    pub state: TaskState,
    /// The task as the query shows it (`creator` as `{id, name}`, `createTime`, ...).
    data: Value,
    nodes: Vec<Node>,
    exit: usize,
    /// The subtask this task fails at, once.
    fail_at: Option<String>,
}

fn subtask_ids(v: &Value, key: &str) -> Vec<i64> {
    v[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

impl TaskRun {
    /// Wraps a freshly built task (`data` of the Delete OBProxy answer) for progress.
    pub fn new(
        data: &Value,
        cluster_id: i64,
        servers: Vec<i64>,
        creator: (i64, &str),
        created_ms: i64,
        fail_at: Option<String>,
    ) -> Self {
        let mut data = data.clone();
        let subtasks = data["subtasks"].as_array().cloned().unwrap_or_default();
        let ids: Vec<i64> = subtasks.iter().filter_map(|s| s["id"].as_i64()).collect();
        let nodes: Vec<Node> = subtasks
            .iter()
            .map(|s| Node {
                name: s["name"].as_str().unwrap_or_default().to_owned(),
                upstreams: subtask_ids(s, "upstreams")
                    .iter()
                    .filter_map(|u| ids.iter().position(|id| id == u))
                    .collect(),
                status: if s["status"] == "READY" {
                    Status::Ready
                } else {
                    Status::Pending
                },
                since_ms: created_ms,
            })
            .collect();
        let exit = subtasks
            .iter()
            .position(|s| subtask_ids(s, "downstreams").is_empty())
            .unwrap_or(0);
        let created = json!(format_time(created_ms));
        data["creator"] = json!({"id": creator.0, "name": creator.1});
        data["createTime"] = created.clone();
        if let Some(subtasks) = data["subtasks"].as_array_mut() {
            for s in subtasks {
                s["createTime"] = created.clone();
            }
        }
        Self {
            id: data["id"].as_i64().unwrap_or_default(),
            cluster_id,
            servers,
            state: TaskState::Running,
            data,
            nodes,
            exit,
            fail_at,
        }
    }

    /// The task as `GET /api/v2/tasks/instances/{id}` shows it.
    pub fn data(&self) -> &Value {
        &self.data
    }

    fn subtask_mut(&mut self, i: usize) -> &mut Map<String, Value> {
        let slot = &mut self.data["subtasks"][i];
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        slot.as_object_mut().expect("made an object just above")
    }

    fn set(&mut self, i: usize, status: Status, now_ms: i64) {
        self.nodes[i].status = status;
        self.nodes[i].since_ms = now_ms;
        let time = json!(format_time(now_ms));
        let s = self.subtask_mut(i);
        s.insert("status".into(), json!(status.as_str()));
        match status {
            Status::Running => {
                s.insert("startTime".into(), time);
                s.remove("finishTime");
            }
            Status::Failed | Status::Successful => {
                s.insert("finishTime".into(), time);
            }
            Status::Pending | Status::Ready => {}
        }
    }

    fn ends_as(&mut self, i: usize) -> Status {
        let fails = self
            .fail_at
            .as_deref()
            .is_some_and(|name| name.eq_ignore_ascii_case(&self.nodes[i].name));
        if fails {
            Status::Failed
        } else {
            Status::Successful
        }
    }

    /// PENDING subtasks whose upstreams all succeeded become READY.
    fn release(&mut self, now_ms: i64) {
        for i in 0..self.nodes.len() {
            let ready = self.nodes[i].status == Status::Pending
                && self.nodes[i]
                    .upstreams
                    .iter()
                    .all(|&u| self.nodes[u].status == Status::Successful);
            if ready {
                self.set(i, Status::Ready, now_ms);
            }
        }
    }

    /// Settles the task's own status once a subtask ended.
    fn conclude(&mut self, now_ms: i64) {
        let failed = self.nodes.iter().any(|n| n.status == Status::Failed);
        let state = if failed {
            self.fail_at = None;
            TaskState::Failed
        } else if self.nodes[self.exit].status == Status::Successful {
            TaskState::Successful
        } else {
            return;
        };
        self.state = state;
        self.data["status"] = json!(state.as_str());
        self.data["finishTime"] = json!(format_time(now_ms));
    }

    /// One step: running subtasks end, ready ones start, pending ones whose upstreams are done
    /// become ready.
    pub fn step(&mut self, now_ms: i64) {
        if self.state != TaskState::Running {
            return;
        }
        let before: Vec<Status> = self.nodes.iter().map(|n| n.status).collect();
        for (i, status) in before.iter().enumerate() {
            match status {
                Status::Running => {
                    let end = self.ends_as(i);
                    self.set(i, end, now_ms);
                }
                Status::Ready => self.set(i, Status::Running, now_ms),
                _ => {}
            }
        }
        self.release(now_ms);
        self.conclude(now_ms);
    }

    /// Runs the task on the mock's clock up to `now_ms`, each subtask taking `per_subtask_ms`.
    pub fn advance_to(&mut self, now_ms: i64, per_subtask_ms: i64) {
        while self.state == TaskState::Running {
            for i in 0..self.nodes.len() {
                if self.nodes[i].status == Status::Ready && self.nodes[i].since_ms <= now_ms {
                    let since = self.nodes[i].since_ms;
                    self.set(i, Status::Running, since);
                }
            }
            let next = self
                .nodes
                .iter()
                .filter(|n| n.status == Status::Running)
                .map(|n| n.since_ms + per_subtask_ms)
                .min();
            let Some(at) = next.filter(|&at| at <= now_ms) else {
                return;
            };
            for i in 0..self.nodes.len() {
                if self.nodes[i].status == Status::Running
                    && self.nodes[i].since_ms + per_subtask_ms == at
                {
                    let end = self.ends_as(i);
                    self.set(i, end, at);
                }
            }
            self.release(at);
            self.conclude(at);
        }
    }

    /// Resumes a FAILED task from its failed subtasks: they run again (`runTime` grows).
    /// `Err` carries the state that does not allow a retry.
    pub fn retry(&mut self, now_ms: i64) -> Result<(), TaskState> {
        if self.state != TaskState::Failed {
            return Err(self.state);
        }
        for i in 0..self.nodes.len() {
            if self.nodes[i].status == Status::Failed {
                self.set(i, Status::Ready, now_ms);
                let s = self.subtask_mut(i);
                let runs = s.get("runTime").and_then(Value::as_i64).unwrap_or(1);
                s.insert("runTime".into(), json!(runs + 1));
                s.insert("operation".into(), json!("RETRY"));
                s.remove("finishTime");
                s.remove("startTime");
            }
        }
        self.state = TaskState::Running;
        self.data["status"] = json!("RUNNING");
        self.data["operation"] = json!("RETRY");
        if let Some(task) = self.data.as_object_mut() {
            task.remove("finishTime");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ocp::task::DOCUMENTED_EXAMPLE;

    fn documented_run(fail_at: Option<&str>) -> TaskRun {
        let example: Value = serde_json::from_str(DOCUMENTED_EXAMPLE).unwrap();
        TaskRun::new(
            &example["data"],
            1,
            vec![2],
            (100, "admin"),
            0,
            fail_at.map(str::to_owned),
        )
    }

    fn status_of(run: &TaskRun, name: &str) -> String {
        let subtasks = run.data()["subtasks"].as_array().unwrap();
        let s = subtasks.iter().find(|s| s["name"] == name).unwrap();
        s["status"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_chain_of_eight_succeeds_in_sixteen_steps() {
        let mut run = documented_run(None);
        for step in 1..16 {
            run.step(step);
            assert_eq!(run.state, TaskState::Running, "step {step}");
        }
        run.step(16);
        assert_eq!(run.state, TaskState::Successful);
        assert_eq!(run.data()["finishTime"], json!(format_time(16)));
        assert_eq!(run.data()["creator"], json!({"id": 100, "name": "admin"}));
    }

    #[test]
    fn a_failure_stops_the_task_and_a_retry_finishes_it() {
        let mut run = documented_run(Some("Wait node"));
        for t in 1..=6 {
            run.step(t);
        }
        assert_eq!(run.state, TaskState::Failed);
        assert_eq!(status_of(&run, "Wait node"), "FAILED");
        assert_eq!(status_of(&run, "Stop and uninstall obproxy"), "PENDING");
        run.step(7);
        assert_eq!(run.state, TaskState::Failed, "a failed task stays put");
        assert!(run.retry(8).is_ok());
        assert_eq!(run.retry(8), Err(TaskState::Running));
        for t in 9..40 {
            run.step(t);
        }
        assert_eq!(run.state, TaskState::Successful);
        let subtasks = run.data()["subtasks"].as_array().unwrap();
        let wait = subtasks.iter().find(|s| s["name"] == "Wait node").unwrap();
        assert_eq!(wait["runTime"], 2);
    }

    #[test]
    fn the_time_pace_runs_each_subtask_for_its_duration() {
        let mut run = documented_run(None);
        run.advance_to(999, 1000);
        assert_eq!(status_of(&run, "Start node"), "RUNNING");
        run.advance_to(1000, 1000);
        assert_eq!(status_of(&run, "Start node"), "SUCCESSFUL");
        assert_eq!(status_of(&run, "Prepare offline obproxy"), "RUNNING");
        run.advance_to(7999, 1000);
        assert_eq!(run.state, TaskState::Running);
        run.advance_to(8000, 1000);
        assert_eq!(run.state, TaskState::Successful);
    }

    #[test]
    fn paces_parse_from_their_settings() {
        assert_eq!("polls:3".parse(), Ok(TaskPace::Polls(3)));
        assert_eq!("time:250".parse(), Ok(TaskPace::Time(250)));
        assert!("polls:0".parse::<TaskPace>().is_err());
        assert!("fast".parse::<TaskPace>().is_err());
    }
}
