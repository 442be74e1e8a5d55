"""REST API of customer records: serializers, fields and viewsets."""
