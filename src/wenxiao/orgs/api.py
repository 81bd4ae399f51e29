"""/api/v1/regions and /api/v1/organisations, scoped like everything else."""

from ninja import Router, Schema
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.orgs import selectors

router = Router(tags=["组织机构"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class OrganisationOut(Schema):
    code: str
    name: str
    kind: str
    region_code: str
    parent_code: str | None
    head_name: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


@router.get("/regions", response=list[RegionOut], summary="行政区划")
@paginate(LimitOffsetPagination)
def regions(request):
    return selectors.region_list(request.user).select_related("parent")


@router.get("/organisations", response=list[OrganisationOut], summary="组织机构")
@paginate(LimitOffsetPagination)
def organisations(request, kind: str = "", region_code: str = "", q: str = ""):
    return selectors.org_list(request.user, kind=kind, region=region_code, q=q).select_related("region", "parent")
