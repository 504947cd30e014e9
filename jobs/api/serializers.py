from rest_framework import serializers

from ..models import Client, ClientUser


class ClientPublicOutput(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "kind", "name"]


class ClientOutput(serializers.ModelSerializer):
    cooperatives = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Client
        fields = [
            "id", "kind", "name", "kvk_number", "vat_number", "billing_email", "billing_street",
            "billing_postcode", "billing_city", "cooperatives",
        ]  # fmt: skip


class ClientCreateInput(serializers.Serializer):
    cooperative = serializers.SlugField(help_text="Slug of the cooperative the client works with.")
    kind = serializers.ChoiceField(choices=Client.Kind.choices)
    name = serializers.CharField(max_length=150)
    kvk_number = serializers.CharField(max_length=20)
    vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    billing_email = serializers.EmailField()
    billing_street = serializers.CharField(max_length=150, required=False, allow_blank=True)
    billing_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    billing_city = serializers.CharField(max_length=80, required=False, allow_blank=True)


class ClientUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    kvk_number = serializers.CharField(max_length=20, required=False)
    vat_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    billing_email = serializers.EmailField(required=False)
    billing_street = serializers.CharField(max_length=150, required=False, allow_blank=True)
    billing_postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    billing_city = serializers.CharField(max_length=80, required=False, allow_blank=True)


class ClientUserOutput(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.full_name")
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = ClientUser
        fields = ["id", "full_name", "email", "role"]


class InviteInput(serializers.Serializer):
    email = serializers.EmailField()


class LinkInput(serializers.Serializer):
    cooperative = serializers.SlugField()
