from rest_framework.pagination import CursorPagination as DrfCursorPagination


class CursorPagination(DrfCursorPagination):
    """Stable pages on growing tables: newest first, by a monotonically increasing id."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200


class CallTaskPagination(CursorPagination):
    """The call queue: the task due soonest first."""

    ordering = ("due_on", "id")
