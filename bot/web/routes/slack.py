"""/slack/events: Slack's requests (commands, events, interactions), handed to the Bolt app."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

router = APIRouter()


@router.post("/slack/events")
async def slack_events(request: Request) -> Response:
    handler = request.app.state.slack
    if handler is None:
        return JSONResponse(
            {
                "error": "Slack is off here (no FORUMBOT_SLACK_BOT_TOKEN, or Socket Mode)"
            },
            status_code=404,
        )
    response: Response = await handler.handle(request)
    return response
