"""Several success statuses of the feature corpus (issue 9 item 5): operations whose
body depends on the status they answer with.

- ``POST /corpus/jobs``: ``200 Job`` (done at once) or ``202 JobAccepted`` (queued);
- ``PUT /corpus/records/{record_id}``: ``200 Record`` (replaced) or ``201`` with an
  inline schema (created), which the generator names ``UpsertRecordCreatedBody``;
- ``DELETE /corpus/jobs/{job_id}``: ``200 JobCancelled`` or ``204`` with no body;
- ``POST /corpus/jobs/{job_id}/retry``: ``200 Job`` or ``202 Job``, one type, so the
  client keeps a plain ``Job`` as the result.

The client returns, for each of the first three, an enum keyed by status
(``CreateJobResponse::Ok(Job)``, ``CreateJobResponse::Accepted(JobAccepted)``, ...).
"""

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["corpus-statuses"])


class Job(BaseModel):
    """A job that has run."""

    id: str
    result: str


class JobAccepted(BaseModel):
    """A job queued to run later."""

    id: str
    position: int


class Record(BaseModel):
    """A stored record."""

    id: int
    name: str


class JobCancelled(BaseModel):
    """What a cancelled job had done."""

    id: str
    progress: float


@router.post(
    "/corpus/jobs",
    response_model=Job,
    responses={202: {"model": JobAccepted, "description": "Queued to run later"}},
)
def create_job(name: str) -> Job:
    """Runs a job at once when it is small, and queues it otherwise."""
    return Job(id="job-1", result=name)


@router.put(
    "/corpus/records/{record_id}",
    response_model=Record,
    responses={
        201: {
            "description": "Created",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "created": {"type": "boolean"},
                        },
                        "required": ["id", "created"],
                    }
                }
            },
        }
    },
)
def upsert_record(record_id: int, record: Record) -> Record:
    """Replaces a record (200) or creates it (201, with an inline schema)."""
    return record


@router.delete(
    "/corpus/jobs/{job_id}",
    response_model=JobCancelled,
    responses={204: {"description": "The job had already finished"}},
)
def cancel_job(job_id: str) -> JobCancelled:
    """Cancels a running job (200, with its progress), or nothing to do (204)."""
    return JobCancelled(id=job_id, progress=0.5)


@router.post(
    "/corpus/jobs/{job_id}/retry",
    response_model=Job,
    responses={202: {"model": Job, "description": "Queued again"}},
)
def retry_job(job_id: str) -> Job:
    """Retries a job: done at once (200) or queued (202), a `Job` either way."""
    return Job(id=job_id, result="retried")

