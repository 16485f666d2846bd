from rest_framework import serializers

from pawpact.storefront.models import Product
from pawpact.warehouses.enums import SkuCategory


class ProductSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="warehouse_sku.sku")
    name = serializers.CharField(source="warehouse_sku.name")
    name_en = serializers.CharField(source="warehouse_sku.name_en")
    category = serializers.ChoiceField(source="warehouse_sku.category", choices=SkuCategory.choices)
    unit = serializers.CharField(source="warehouse_sku.unit")
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "sku", "name", "name_en", "category", "unit", "price_minor", "in_stock"]
        read_only_fields = fields

    def get_in_stock(self, product: Product) -> bool:
        return product.warehouse_sku.sellable > 0


class ProductQuerySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=SkuCategory.choices, required=False)

