"""Query parameters are validated like bodies: a value outside the documented ones
answers 400 with the parameter named, instead of being ignored."""
from rest_framework import serializers


def query_valid(serializer_class: type[serializers.Serializer], request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data
