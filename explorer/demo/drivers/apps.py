"""The entity drivers: apps and notifications, kept in memory."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from .base import DEMO_USER, NO_RESULT, Call, Driver, DriverFailure, bad_request

def _now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


class Apps(Driver):
    description = "Manage a developer's apps on Puter."
    v2_only = frozenset()

    def __init__(self) -> None:
        self.apps: dict[str, dict[str, Any]] = {}

    def _find(self, call: Call, uid: Any = None, ident: Any = None) -> dict[str, Any] | None:
        if isinstance(ident, dict):
            if isinstance(ident.get("name"), str):
                return next((a for a in self.apps.values() if a["name"] == ident["name"]), None)
            if call.generation == "v2" and isinstance(ident.get("uid"), str):  # v1 does not look at id.uid
                uid = ident["uid"]
            elif uid is None:
                return None
        return self.apps.get(uid) if isinstance(uid, str) else None

    def _not_found(self, call: Call, identifier: Any) -> DriverFailure:
        if call.generation == "v1":
            text = "undefined" if identifier is None else str(identifier)
            return DriverFailure("entity_not_found", f"Entity not found: `{text}`", 422, {"identifier": text})
        return DriverFailure("not_found", "App not found", 404)

    def _view(self, call: Call, app: dict[str, Any]) -> dict[str, Any]:
        if call.generation == "v2":
            return {k: v for k, v in app.items() if k != "subdomain"}
        view = dict(app, icon=app["icon"] or "", metadata=app["metadata"] or {})
        view["stats"] = {"open_count": None, "user_count": None}
        view["created_from_origin"] = ""
        view["app_owner"] = None
        for key in ("feedback_enabled", "is_private"):
            view.pop(key, None)
        return view

    def m_create(self, call: Call) -> Any:
        obj = call.args.get("object")
        if not isinstance(obj, dict):
            raise bad_request("Missing `object`")
        name = obj.get("name")
        if not isinstance(name, str) or not name:
            raise bad_request("Missing `object.name`")
        if any(a["name"] == name for a in self.apps.values()):
            if call.generation == "v1":
                raise DriverFailure("app_name_already_in_use", f"App name `{name}` is already in use.", 409, {"name": name})
            raise DriverFailure("app_name_already_in_use", "An app with this name already exists", 400)
        uid = f"app-{uuid.uuid4()}"
        index_url = str(obj.get("index_url") or "")
        parts = urlsplit(index_url)
        app = {
            "uid": uid,
            "name": name,
            "title": str(obj.get("title") or name),
            "description": str(obj.get("description") or ""),
            "icon": obj.get("icon"),
            "index_url": index_url,
            "background": bool(obj.get("background", False)),
            "maximize_on_start": bool(obj.get("maximize_on_start", False)),
            "feedback_enabled": False,
            "godmode": False,
            "is_private": False,
            "protected": False,
            "approved_for_listing": False,
            "approved_for_opening_items": False,
            "approved_for_incentive_program": False,
            "metadata": obj.get("metadata"),
            "filetype_associations": list(obj.get("filetype_associations") or []),
            "created_at": _now_text(),
            "created_from_origin": f"{parts.scheme}://{parts.netloc}" if parts.netloc else None,
            "stats": None,
            "subdomain": f"app-{uuid.uuid4()}",
            "owner": dict(DEMO_USER),
        }
        self.apps[uid] = app
        if call.generation == "v1":  # v1 answers with what was written, not the whole entity
            written = {k: app[k] for k in ("uid", "name", "title") if k in app}
            if "description" in obj:
                written["description"] = app["description"]
            return dict(written, subdomain=app["subdomain"], index_url=index_url, owner=app["owner"])
        return self._view(call, app)

    def m_read(self, call: Call) -> Any:
        app = self._find(call, call.args.get("uid"), call.args.get("id"))
        if app is None:
            raise self._not_found(call, call.args.get("uid"))
        return self._view(call, app)

    def m_select(self, call: Call) -> Any:
        apps = list(self.apps.values())
        offset = call.args.get("offset") if isinstance(call.args.get("offset"), int) else 0
        limit = call.args.get("limit") if isinstance(call.args.get("limit"), int) else None
        apps = apps[offset : offset + limit if limit is not None else None]
        return [self._view(call, a) for a in apps]

    def _target(self, call: Call) -> dict[str, Any]:
        obj = call.args.get("object")
        if not isinstance(obj, dict):
            raise bad_request("Missing `object`")
        app = self._find(call, call.args.get("uid") or obj.get("uid"), call.args.get("id"))
        if app is None:
            raise self._not_found(call, None if call.generation == "v1" else call.args.get("uid"))
        return app

    def _apply(self, call: Call, app: dict[str, Any]) -> dict[str, Any]:
        for key, value in call.args["object"].items():
            if key in app and key not in ("uid", "owner", "created_at"):
                app[key] = value
        return self._view(call, app)

    def m_update(self, call: Call) -> Any:
        return self._apply(call, self._target(call))

    def m_upsert(self, call: Call) -> Any:
        try:
            app = self._target(call)
        except DriverFailure:
            return self.m_create(call)
        return self._apply(call, app)

    def m_delete(self, call: Call) -> Any:
        app = self._find(call, call.args.get("uid"), call.args.get("id"))
        if app is None:
            raise self._not_found(call, call.args.get("uid"))
        del self.apps[app["uid"]]
        return NO_RESULT if call.generation == "v1" else {"success": True, "uid": app["uid"]}


class Notifications(Driver):
    description = "Read and mark notifications."
    v1_only = frozenset({"update", "upsert", "delete"})  # v1 serves the generic crud-q methods
    v2_only = frozenset({"mark_shown", "mark_acknowledged"})

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def _get(self, call: Call) -> dict[str, Any]:
        uid = call.args.get("uid") or call.args.get("id")
        found = self.items.get(uid) if isinstance(uid, str) else None
        if found is None:
            if call.generation == "v1":
                text = "undefined" if uid is None else str(uid)
                raise DriverFailure("entity_not_found", f"Entity not found: `{text}`", 422, {"identifier": text})
            raise DriverFailure("not_found", "Notification not found", 404)
        return found

    def m_create(self, call: Call) -> Any:
        obj = call.args.get("object")
        if not isinstance(obj, dict):
            raise bad_request("Missing `object`")
        uid = str(uuid.uuid4())
        item = {"uid": uid, "value": obj.get("value"), "shown": None, "acknowledged": None, "created_at": _now_text()}
        self.items[uid] = item
        return dict(item)

    def m_read(self, call: Call) -> Any:
        return dict(self._get(call))

    def m_select(self, call: Call) -> Any:
        items = [dict(i) for i in self.items.values()]
        limit = call.args.get("limit")
        return items[:limit] if isinstance(limit, int) and limit >= 0 else items

    def m_mark_shown(self, call: Call) -> Any:
        self._get(call)["shown"] = int(time.time())
        return {"success": True}

    def m_mark_acknowledged(self, call: Call) -> Any:
        self._get(call)["acknowledged"] = int(time.time())
        return {"success": True}

    def m_update(self, call: Call) -> Any:
        item = self._get(call)
        obj = call.args.get("object")
        if isinstance(obj, dict) and "value" in obj:
            item["value"] = obj["value"]
        return dict(item)

    def m_upsert(self, call: Call) -> Any:
        try:
            return self.m_update(call)
        except DriverFailure:
            return self.m_create(call)

    def m_delete(self, call: Call) -> Any:
        del self.items[self._get(call)["uid"]]
        return NO_RESULT
