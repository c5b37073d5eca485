"""API of the accounts app under /api/v1/ (DRF): the signed-in person's own profile."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from accounts import services


class MeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    phone_verified = serializers.BooleanField()
    email = serializers.EmailField(allow_null=True)
    last_name = serializers.CharField()
    first_name = serializers.CharField()
    patronymic = serializers.CharField()
    full_name = serializers.CharField()


class MeUpdateInputSerializer(serializers.Serializer):
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_null=True, allow_blank=True, default=None)


class MeApi(APIView):
    """The signed-in person: read and edit own names and e-mail."""

    @extend_schema(responses=MeOutputSerializer, summary="Мой профиль")
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)

    @extend_schema(request=MeUpdateInputSerializer, responses=MeOutputSerializer, summary="Изменить мой профиль")
    def put(self, request):
        serializer = MeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(actor=request.user, user=request.user, **serializer.validated_data)
        return Response(MeOutputSerializer(user).data)


router = SimpleRouter()

urlpatterns = [path("me/", MeApi.as_view(), name="me"), *router.urls]
